// Pure: the dashboard's heatmap, stuck detection, the summary and the export, from rows of the
// Store (step starts and passes, Check attempts) and what is live (sessions, hands, positions).
// No I/O here, so every rule an instructor relies on is unit-tested with plain objects.
import type { CellState, SeatCluster, SeatView } from '../../protocol/classroom.js';
import type { AttemptRow, ProgressRow, SeatRecord } from './classroom-store.js';

/** Failed Checks in a row on one step that count as stuck. */
export const STUCK_FAILED_CHECKS = 3;

/** The classroom's columns: every step of every lab, in order. */
export interface Column {
  lab: string;
  step: number;
  title: string;
}

/** What is live for one seat (from the session manager, sockets and the hand queue). */
export interface SeatLive {
  online: boolean;
  cluster: SeatCluster;
  sessionId: string | null;
  expiresAt: number | null;
  /** The step the running session is on, with when the attendee entered it. */
  position: { lab: string; step: number; since: number } | null;
  hand: { id: number; raisedAt: number; note: string } | null;
  takeover: 'none' | 'asked' | 'granted';
}

const key = (lab: string, step: number) => `${lab}#${step}`;

/** Pure: one dashboard row. */
export function seatView(seat: SeatRecord, columns: Column[], progress: ProgressRow[], attempts: AttemptRow[], live: SeatLive, now: number, stuckMinutes: number): SeatView {
  const rows = new Map(progress.map((p) => [key(p.lab, p.step), p]));
  const byStep = new Map<string, AttemptRow[]>();
  for (const a of attempts) {
    const k = key(a.lab, a.step);
    byStep.set(k, [...(byStep.get(k) ?? []), a]);
  }
  const cells: CellState[] = columns.map((c) => {
    const row = rows.get(key(c.lab, c.step));
    const tries = byStep.get(key(c.lab, c.step)) ?? [];
    if (row?.passedAt != null) return 'passed';
    if (tries.length && !tries[tries.length - 1]!.passed) return 'failing';
    if (row) return 'in-progress';
    return 'not-started';
  });

  // Where the attendee is: the live session's step, else the step they started last.
  let current = live.position;
  if (!current) {
    const latest = progress.filter((p) => p.startedAt !== null).sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0))[0];
    current = latest ? { lab: latest.lab, step: latest.step, since: latest.startedAt ?? now } : null;
  }
  const here = current ? (byStep.get(key(current.lab, current.step)) ?? []) : [];
  let failStreak = 0;
  for (let i = here.length - 1; i >= 0 && !here[i]!.passed; i--) failStreak++;
  const currentPassed = current ? rows.get(key(current.lab, current.step))?.passedAt != null : false;

  // Progress is entering a step or passing one; a Check that fails is not progress.
  const lastProgress = Math.max(current?.since ?? 0, seat.joinedAt, ...progress.map((p) => p.passedAt ?? 0));
  let stuck: { reason: string } | null = null;
  if (current && !currentPassed && live.sessionId) {
    if (failStreak >= STUCK_FAILED_CHECKS) stuck = { reason: `${failStreak} failed checks in a row on step ${current.step}` };
    else if (now - lastProgress >= stuckMinutes * 60_000) stuck = { reason: `no progress for ${Math.floor((now - lastProgress) / 60_000)} min` };
  }

  return {
    seat: seat.seat,
    visitorId: seat.visitorId,
    displayName: seat.displayName,
    joinedAt: seat.joinedAt,
    online: live.online,
    cluster: live.cluster,
    sessionId: live.sessionId,
    expiresAt: live.expiresAt,
    current,
    cells,
    passed: cells.filter((c) => c === 'passed').length,
    failStreak,
    stuck,
    hand: live.hand,
    takeover: live.takeover,
  };
}

/** Pure: per column, how many seats are on it now and how many passed it. */
export function stepCounts(columns: Column[], seats: SeatView[]): { lab: string; step: number; title: string; here: number; passed: number }[] {
  return columns.map((c, i) => ({
    ...c,
    here: seats.filter((s) => s.current?.lab === c.lab && s.current.step === c.step).length,
    passed: seats.filter((s) => s.cells[i] === 'passed').length,
  }));
}

const median = (values: number[]): number | null => {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** One step of the summary page. */
export interface StepSummary extends Column {
  started: number;
  passed: number;
  /** Median time from starting the step to passing it, in seconds. */
  medianSeconds: number | null;
  failedChecks: number;
  /** The checks that failed most, with their counts. */
  topFailures: { title: string; count: number }[];
}

/** Pure: the completion funnel, median times and failed checks per step. */
export function summarize(columns: Column[], seats: SeatRecord[], progress: ProgressRow[], attempts: AttemptRow[]): { attendees: number; steps: StepSummary[] } {
  const inRoom = new Set(seats.map((s) => s.visitorId));
  const steps = columns.map((c) => {
    const rows = progress.filter((p) => p.lab === c.lab && p.step === c.step && inRoom.has(p.visitorId));
    const failed = attempts.filter((a) => a.lab === c.lab && a.step === c.step && !a.passed && inRoom.has(a.visitorId));
    const titles = new Map<string, number>();
    for (const a of failed) for (const t of a.failed) titles.set(t, (titles.get(t) ?? 0) + 1);
    const durations = rows.filter((r) => r.startedAt !== null && r.passedAt !== null).map((r) => Math.max(0, (r.passedAt! - r.startedAt!) / 1000));
    return {
      ...c,
      started: rows.length,
      passed: rows.filter((r) => r.passedAt !== null).length,
      medianSeconds: median(durations),
      failedChecks: failed.length,
      topFailures: [...titles].map(([title, count]) => ({ title, count })).sort((a, b) => b.count - a.count).slice(0, 3),
    };
  });
  return { attendees: seats.length, steps };
}

/** One exported row: an attendee on a step. */
export interface ExportRow {
  seat: number;
  name: string;
  lab: string;
  step: number;
  title: string;
  startedAt: string | null;
  passedAt: string | null;
  secondsToPass: number | null;
  attempts: number;
  failedAttempts: number;
  firstAttemptAt: string | null;
  lastAttemptAt: string | null;
}

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

/** Pure: per attendee and step, times and attempts. */
export function exportRows(columns: Column[], seats: SeatRecord[], progress: ProgressRow[], attempts: AttemptRow[]): ExportRow[] {
  return seats.flatMap((s) =>
    columns.map((c) => {
      const row = progress.find((p) => p.visitorId === s.visitorId && p.lab === c.lab && p.step === c.step);
      const tries = attempts.filter((a) => a.visitorId === s.visitorId && a.lab === c.lab && a.step === c.step);
      return {
        seat: s.seat,
        name: s.displayName,
        lab: c.lab,
        step: c.step,
        title: c.title,
        startedAt: iso(row?.startedAt),
        passedAt: iso(row?.passedAt),
        secondsToPass: row?.startedAt != null && row.passedAt != null ? Math.round((row.passedAt - row.startedAt) / 1000) : null,
        attempts: tries.length,
        failedAttempts: tries.filter((a) => !a.passed).length,
        firstAttemptAt: iso(tries[0]?.at),
        lastAttemptAt: iso(tries[tries.length - 1]?.at),
      };
    }),
  );
}

/** Pure: RFC 4180 CSV with a header row; cells that a spreadsheet would run as formulas are quoted with a leading '. */
export function toCsv(rows: ExportRow[]): string {
  const header: (keyof ExportRow)[] = ['seat', 'name', 'lab', 'step', 'title', 'startedAt', 'passedAt', 'secondsToPass', 'attempts', 'failedAttempts', 'firstAttemptAt', 'lastAttemptAt'];
  const cell = (value: unknown) => {
    let text = value == null ? '' : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [header.join(','), ...rows.map((r) => header.map((h) => cell(r[h])).join(','))].join('\r\n') + '\r\n';
}

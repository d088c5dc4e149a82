// The pure rules of classrooms: join codes, failure limits, capacity, shell history, the heatmap
// and stuck detection, the summary and the CSV export.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { capacityWarning, estimateCapacity } from '../../../server/classrooms/capacity.js';
import { mergeTimeline, parseBashHistory } from '../../../server/classrooms/history.js';
import { InstructorAuth } from '../../../server/classrooms/instructor-auth.js';
import { JOIN_ALPHABET, formatJoinCode, newJoinCode, normalizeJoinCode } from '../../../server/classrooms/join-code.js';
import { type Column, type SeatLive, exportRows, seatView, summarize, toCsv } from '../../../server/classrooms/progress.js';
import { FailureLimiter } from '../../../server/classrooms/rate-limit.js';

describe('join codes', () => {
  it('are 8 characters of an alphabet without 0, 1, I, L, O', () => {
    expect(JOIN_ALPHABET).not.toMatch(/[01ILO]/);
    const codes = new Set(Array.from({ length: 200 }, () => newJoinCode()));
    expect(codes.size).toBe(200);
    for (const code of codes) expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
  });
  it('forgive case, spaces and dashes, and refuse characters outside the alphabet', () => {
    expect(normalizeJoinCode(' abcd-efgh ')).toBe('ABCDEFGH');
    expect(normalizeJoinCode('ABCD EFG')).toBeUndefined();
    expect(normalizeJoinCode('ABCDEFG0')).toBeUndefined();
    expect(formatJoinCode('ABCDEFGH')).toBe('ABCD-EFGH');
  });
});

describe('FailureLimiter', () => {
  it('lets a key fail `limit` times per window, then makes it wait out the window', () => {
    let now = 0;
    const limiter = new FailureLimiter(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfter('ip')).toBe(0);
      limiter.fail('ip');
    }
    now = 10_000;
    expect(limiter.retryAfter('ip')).toBe(50_000);
    expect(limiter.retryAfter('other')).toBe(0);
    now = 60_000;
    expect(limiter.retryAfter('ip')).toBe(0);
    limiter.fail('ip');
    limiter.reset('ip');
    expect(limiter.retryAfter('ip')).toBe(0);
  });
});

describe('capacity', () => {
  it('takes the scarcer of memory (600 MiB) and CPU (0.3) per idle cluster', () => {
    expect(estimateCapacity(6000, 8)).toMatchObject({ clusters: 10, limitedBy: 'memory' });
    expect(estimateCapacity(60_000, 2)).toMatchObject({ clusters: 6, limitedBy: 'cpu' });
    expect(capacityWarning(6, estimateCapacity(60_000, 2))).toBeUndefined();
    expect(capacityWarning(7, estimateCapacity(60_000, 2))).toContain('holds about 6 idle clusters');
  });
});

describe('shell history', () => {
  it('reads bash_history with HISTTIMEFORMAT stamps, keeping commands without one at the time before', () => {
    const text = 'ls\n#1700000000\nkubectl get pods\n#1700000005\nkubectl apply -f web.yaml\n';
    expect(parseBashHistory(text)).toEqual([
      { at: 0, command: 'ls' },
      { at: 1_700_000_000_000, command: 'kubectl get pods' },
      { at: 1_700_000_005_000, command: 'kubectl apply -f web.yaml' },
    ]);
  });
  it('orders a command before the check at the same moment', () => {
    const merged = mergeTimeline([{ at: 5, kind: 'check', lab: 'pods', step: 1, passed: false, failed: [] }], [{ at: 5, kind: 'command', command: 'k get po' }, { at: 1, kind: 'command', command: 'ls' }]);
    expect(merged.map((e) => e.kind)).toEqual(['command', 'command', 'check']);
  });
});

describe('the heatmap and stuck detection', () => {
  const columns: Column[] = [1, 2, 3].map((step) => ({ lab: 'pods', step, title: `Step ${step}` }));
  const seat = { classroomId: 'c', visitorId: 'v', seat: 1, displayName: 'Ada', joinedAt: 0 };
  const live = (over: Partial<SeatLive> = {}): SeatLive => ({ online: true, cluster: 'ready', sessionId: 's', expiresAt: null, position: { lab: 'pods', step: 2, since: 1000 }, hand: null, takeover: 'none', ...over });
  const progress = [
    { visitorId: 'v', lab: 'pods', step: 1, startedAt: 0, passedAt: 500 },
    { visitorId: 'v', lab: 'pods', step: 2, startedAt: 1000, passedAt: null },
  ];
  const failed = (at: number) => ({ visitorId: 'v', lab: 'pods', step: 2, at, passed: false, failed: ['Pod web runs'] });

  it('colours passed, failing, in-progress and not-started steps', () => {
    const view = seatView(seat, columns, progress, [failed(1100)], live(), 2000, 10);
    expect(view.cells).toEqual(['passed', 'failing', 'not-started']);
    expect(view.passed).toBe(1);
    expect(view.stuck).toBeNull();
    expect(seatView(seat, columns, progress, [], live(), 2000, 10).cells[1]).toBe('in-progress');
  });
  it('calls a seat stuck after 3 failed checks in a row, or after N minutes without progress', () => {
    expect(seatView(seat, columns, progress, [failed(1100), failed(1200), failed(1300)], live(), 2000, 10).stuck?.reason).toBe('3 failed checks in a row on step 2');
    expect(seatView(seat, columns, progress, [failed(1100)], live(), 1000 + 10 * 60_000, 10).stuck?.reason).toBe('no progress for 10 min');
    expect(seatView(seat, columns, progress, [failed(1100)], live(), 1000 + 9 * 60_000, 10).stuck).toBeNull();
    // Without a running session the attendee is not working, so not stuck.
    expect(seatView(seat, columns, progress, [failed(1100), failed(1200), failed(1300)], live({ sessionId: null, position: null }), 2000, 10).stuck).toBeNull();
  });
  it('summarizes the funnel, median times and failed checks, and exports CSV safe for spreadsheets', () => {
    const seats = [seat, { ...seat, visitorId: 'w', seat: 2, displayName: '=cmd()' }];
    const rows = [...progress, { visitorId: 'w', lab: 'pods', step: 1, startedAt: 0, passedAt: 1500 }];
    const summary = summarize(columns, seats, rows, [failed(1100), failed(1200)]);
    expect(summary.steps.map((s) => [s.started, s.passed])).toEqual([[2, 2], [1, 0], [0, 0]]);
    expect(summary.steps[0]!.medianSeconds).toBe(1);
    expect(summary.steps[1]!.topFailures).toEqual([{ title: 'Pod web runs', count: 2 }]);
    const csv = toCsv(exportRows(columns, seats, rows, [failed(1100)]));
    expect(csv.split('\r\n')[6]).toBe(`2,'=cmd(),pods,3,Step 3,,,,0,0,,`);
    expect(csv.split('\r\n')[2]).toContain('pods,2,Step 2,1970-01-01T00:00:01.000Z,,,1,1,');
  });
});

describe('InstructorAuth', () => {
  it('generates a token once, keeps only its hash, and signs cookies that expire', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kubelab-auth-'));
    try {
      const shown: string[] = [];
      let now = 1_000_000;
      const auth = InstructorAuth.load(dir, undefined, (t) => shown.push(t), () => now);
      expect(shown).toHaveLength(1);
      expect(await readFile(path.join(dir, 'instructor.json'), 'utf8')).not.toContain(shown[0]!);
      expect(auth.verifyToken(shown[0]!)).toBe(true);
      expect(auth.verifyToken('wrong')).toBe(false);
      const again = InstructorAuth.load(dir, undefined, (t) => shown.push(t), () => now);
      expect(shown).toHaveLength(1);
      const cookie = auth.issue('cookie');
      expect(again.verify('cookie', cookie)).toBe(true);
      expect(again.verify('socket', cookie)).toBe(false);
      now += 13 * 3600_000;
      expect(again.verify('cookie', cookie)).toBe(false);
      // A configured token replaces the generated one and signs everyone out.
      const configured = InstructorAuth.load(dir, 'a-configured-token', () => undefined, () => now);
      expect(configured.verifyToken(shown[0]!)).toBe(false);
      expect(configured.verifyToken('a-configured-token')).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

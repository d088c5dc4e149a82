// Classrooms: an instructor's room of attendees working through labs in order. This service owns
// the rules (who may join, seats, pacing, hands, messages, consent to take over a terminal) and
// acts on sessions through the session manager; sockets and HTTP routes are thin layers over it.
// The dashboard is pushed as a whole snapshot, at most every SNAPSHOT_DEBOUNCE_MS per classroom,
// whenever progress, a session, a hand or a connection changes.
import { randomBytes } from 'node:crypto';
import type { AttendeeClassroom, ClassroomInfo, ClassroomMessage, CreateClassroom, DashboardSnapshot, SeatCluster } from '../../protocol/classroom.js';
import { createClassroomSchema } from '../../protocol/classroom.js';
import type { Lab } from '../lessons/load.js';
import type { SessionEvent, SessionManager, SessionPolicy } from '../sessions/session-manager.js';
import { SessionError } from '../sessions/session-manager.js';
import type { ProgressEvent } from '../store/store.js';
import { capacityWarning, machineCapacity, type CapacityEstimate } from './capacity.js';
import type { ClassroomRecord, ClassroomStore, SeatRecord } from './classroom-store.js';
import { READ_HISTORY_SCRIPT, type TimelineEntry, mergeTimeline, parseBashHistory } from './history.js';
import { newJoinCode, normalizeJoinCode } from './join-code.js';
import { type Column, exportRows, seatView, stepCounts, summarize, toCsv } from './progress.js';

/** How long changes are gathered before a snapshot goes out: well inside "within a second". */
export const SNAPSHOT_DEBOUNCE_MS = 100;
/** How often time-based state (stuck for N minutes) is re-evaluated without any event. */
export const STUCK_SWEEP_MS = 15_000;
/**
 * How long past its end time a classroom keeps running before it ends by itself (clusters freed,
 * attendees told), so an overrunning session is not cut off mid-sentence but no room runs all night.
 */
export const AUTO_END_GRACE_MS = 30 * 60_000;

/** A request the classroom cannot serve; the routes map codes to HTTP statuses. */
export class ClassroomError extends Error {
  constructor(
    readonly code: 'NO_SUCH_CLASSROOM' | 'BAD_CODE' | 'CLASSROOM_FULL' | 'NOT_OPEN_YET' | 'CLASSROOM_CLOSED' | 'NO_SUCH_LAB' | 'NOT_IN_CLASSROOM' | 'BAD_TIMES' | 'NOT_ASKED',
    message: string,
  ) {
    super(message);
    this.name = 'ClassroomError';
  }
}

/** Where the service sends pushes; the socket layer implements it. */
export interface ClassroomPush {
  snapshot(classroomId: string, snapshot: DashboardSnapshot): void;
  toAttendee(visitorId: string, event: 'classroom:state', payload: AttendeeClassroom): void;
  toAttendee(visitorId: string, event: 'classroom:message', payload: ClassroomMessage): void;
  toAttendee(visitorId: string, event: 'classroom:reset' | 'classroom:ended', payload: { message: string }): void;
  toAttendee(visitorId: string, event: 'classroom:takeover-request'): void;
  /** Whether the visitor has a classroom socket open. */
  online(visitorId: string): boolean;
  /** Whether anyone watches this classroom's dashboard. */
  watched(classroomId: string): boolean;
}

export interface ClassroomServiceOptions {
  store: ClassroomStore;
  labs: (slug: string) => Lab | undefined;
  sessions: SessionManager | undefined;
  now: () => number;
  capacity?: () => CapacityEstimate;
  log?: { warn(fields: object, message: string): void };
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class ClassroomService {
  private push: ClassroomPush | undefined;
  private readonly clusterState = new Map<string, SeatCluster>();
  private readonly positions = new Map<string, { lab: string; step: number; since: number }>();
  private readonly takeovers = new Map<string, 'asked' | 'granted'>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly subscriptions: { dispose(): void }[] = [];
  private sweeper: NodeJS.Timeout | undefined;
  private readonly capacity: () => CapacityEstimate;

  constructor(private readonly options: ClassroomServiceOptions) {
    this.capacity = options.capacity ?? machineCapacity;
    this.sweeper = setInterval(() => void this.sweep(), STUCK_SWEEP_MS);
    this.sweeper.unref();
    this.updateWarmPool();
  }

  /** Connects the pushes (the socket layer exists after the service). */
  attach(push: ClassroomPush): void {
    this.push = push;
  }

  /** Progress from the Store: a step entered or a Check stored. */
  onProgress(event: ProgressEvent): void {
    if (event.type === 'step') {
      this.positions.set(event.visitorId, { lab: event.lab, step: event.step, since: event.at });
      this.updateWarmPool(); // a session that just started took a warm cluster
    }
    this.visitorChanged(event.visitorId);
  }

  /** Session events: cluster health and ends. */
  onSession(event: SessionEvent): void {
    if (event.type === 'cluster') this.clusterState.set(event.visitorId, event.status.state === 'lost' ? 'lost' : event.status.state === 'busy' ? 'busy' : 'ready');
    if (event.type === 'ended') {
      this.clusterState.set(event.visitorId, event.reason === 'cluster-lost' || event.reason === 'failed' ? 'lost' : 'none');
      this.takeovers.delete(event.visitorId);
    }
    this.visitorChanged(event.visitorId);
    this.updateWarmPool();
  }

  /** A visitor's socket came or went, or anything else about them changed. */
  visitorChanged(visitorId: string): void {
    const seat = this.options.store.activeSeat(visitorId);
    if (seat) this.changed(seat.classroomId);
  }

  // ---- instructor: classrooms ----

  create(input: CreateClassroom): { classroom: ClassroomInfo; warning: string | null } {
    const parsed = createClassroomSchema.parse(input);
    const missing = parsed.labs.filter((slug) => !this.options.labs(slug));
    if (missing.length) throw new ClassroomError('NO_SUCH_LAB', `no lab named ${missing.join(', ')}; pick labs from the catalog`);
    if (parsed.endsAt !== null && parsed.startsAt !== null && parsed.endsAt <= parsed.startsAt) throw new ClassroomError('BAD_TIMES', 'the end time is before the start time; correct one of them');
    let code = newJoinCode();
    while (this.options.store.byCode(code)) code = newJoinCode();
    const record: ClassroomRecord = { id: hex(8), code, ...parsed, prewarm: Math.min(parsed.prewarm, parsed.seats), createdAt: this.options.now(), endedAt: null, pace: null };
    this.options.store.create(record);
    this.updateWarmPool();
    const warning = capacityWarning(Math.max(record.prewarm, record.seats), this.capacity()) ?? null;
    return { classroom: this.info(record), warning };
  }

  list(): ClassroomInfo[] {
    return this.options.store.list().map((c) => this.info(c));
  }

  capacityEstimate(): CapacityEstimate {
    return this.capacity();
  }

  private record(id: string): ClassroomRecord {
    const c = this.options.store.get(id);
    if (!c) throw new ClassroomError('NO_SUCH_CLASSROOM', `there is no classroom '${id}'; the instructor page lists them`);
    return c;
  }

  private live(id: string): ClassroomRecord {
    const c = this.record(id);
    if (c.endedAt !== null) throw new ClassroomError('CLASSROOM_CLOSED', 'this classroom has ended');
    return c;
  }

  get(id: string): ClassroomInfo {
    return this.info(this.record(id));
  }

  private columns(c: ClassroomRecord): Column[] {
    return c.labs.flatMap((slug) => this.options.labs(slug)?.steps.map((s) => ({ lab: slug, step: s.number, title: s.title })) ?? []);
  }

  private info(c: ClassroomRecord): ClassroomInfo {
    return {
      id: c.id,
      name: c.name,
      code: c.code,
      joinPath: `/join/${c.code}`,
      labs: c.labs.map((slug) => {
        const lab = this.options.labs(slug);
        return { slug, title: lab?.manifest.title ?? `${slug} (no longer on this server)`, steps: lab?.steps.map((s) => ({ number: s.number, title: s.title, checks: s.checks.length })) ?? [] };
      }),
      seats: c.seats,
      prewarm: c.prewarm,
      sessionMinutes: c.sessionMinutes,
      gated: c.gated,
      stuckMinutes: c.stuckMinutes,
      startsAt: c.startsAt,
      endsAt: c.endsAt,
      createdAt: c.createdAt,
      endedAt: c.endedAt,
      pace: c.pace,
    };
  }

  /** The dashboard as it is now. */
  snapshot(id: string): DashboardSnapshot {
    const c = this.record(id);
    const now = this.options.now();
    const columns = this.columns(c);
    const seats = this.options.store.seats(id);
    const visitors = seats.map((s) => s.visitorId);
    const progress = this.options.store.progress(visitors, c.labs);
    const attempts = this.options.store.attempts(visitors, c.labs);
    const hands = this.options.store.openHands(id);
    const views = seats.map((seat) => {
      const session = this.options.sessions?.sessionOf(seat.visitorId);
      const inClass = session && c.labs.includes(session.slug) ? session : undefined;
      const position = this.positions.get(seat.visitorId);
      const hand = hands.find((h) => h.visitorId === seat.visitorId);
      let cluster: SeatCluster = 'none';
      if (this.options.sessions?.isStarting(seat.visitorId)) cluster = 'starting';
      else if (session) cluster = this.clusterState.get(seat.visitorId) === 'busy' ? 'busy' : this.clusterState.get(seat.visitorId) === 'lost' ? 'lost' : 'ready';
      else if (this.clusterState.get(seat.visitorId) === 'lost') cluster = 'lost';
      return seatView(
        seat,
        columns,
        progress.filter((p) => p.visitorId === seat.visitorId),
        attempts.filter((a) => a.visitorId === seat.visitorId),
        {
          online: this.push?.online(seat.visitorId) ?? false,
          cluster,
          sessionId: session?.sessionId ?? null,
          expiresAt: session?.expiresAt ?? null,
          position: inClass ? (position && position.lab === inClass.slug && position.step === inClass.step ? position : { lab: inClass.slug, step: inClass.step, since: progress.find((p) => p.visitorId === seat.visitorId && p.lab === inClass.slug && p.step === inClass.step)?.startedAt ?? now }) : null,
          hand: hand ? { id: hand.id, raisedAt: hand.raisedAt, note: hand.note } : null,
          takeover: this.takeovers.get(seat.visitorId) ?? 'none',
        },
        now,
        c.stuckMinutes,
      );
    });
    const byVisitor = new Map(seats.map((s) => [s.visitorId, s]));
    return {
      classroom: this.info(c),
      now,
      seats: views,
      steps: stepCounts(columns, views),
      hands: hands.map((h) => ({ id: h.id, visitorId: h.visitorId, displayName: byVisitor.get(h.visitorId)?.displayName ?? '?', raisedAt: h.raisedAt, note: h.note })),
      pool: this.options.sessions?.status().pool ?? null,
      capacityWarning: c.endedAt === null ? (capacityWarning(Math.max(c.prewarm, c.seats), this.capacity()) ?? null) : null,
    };
  }

  /** Schedules a snapshot push for a classroom (debounced). */
  changed(id: string): void {
    if (!this.push?.watched(id) || this.pending.has(id)) return;
    const timer = setTimeout(() => {
      this.pending.delete(id);
      try {
        this.push?.snapshot(id, this.snapshot(id));
      } catch (error) {
        this.options.log?.warn({ classroom: id, err: messageOf(error) }, 'could not build the dashboard snapshot');
      }
    }, SNAPSHOT_DEBOUNCE_MS);
    timer.unref();
    this.pending.set(id, timer);
  }

  /** Every 15 s: refreshes dashboards (stuck timers) and ends classrooms well past their end time. */
  sweep(): Promise<void> {
    const now = this.options.now();
    const overdue: string[] = [];
    for (const c of this.options.store.list()) {
      if (c.endedAt !== null) continue;
      if (c.endsAt !== null && now >= c.endsAt + AUTO_END_GRACE_MS) overdue.push(c.id);
      else this.changed(c.id);
    }
    this.updateWarmPool();
    return Promise.all(
      overdue.map((id) =>
        this.end(id, 'The classroom reached its end time, so its clusters were shut down. Your progress is saved. Thank you for taking part!').catch((error: unknown) =>
          this.options.log?.warn({ err: messageOf(error), classroom: id }, 'could not end a classroom past its end time'),
        ),
      ),
    ).then(() => undefined);
  }

  /** Pre-warm: for each open classroom, its pre-warm count less the seats already running a session. */
  private updateWarmPool(): void {
    const sessions = this.options.sessions;
    if (!sessions) return;
    let extra = 0;
    for (const c of this.options.store.list()) {
      if (c.endedAt !== null) continue;
      const running = this.options.store.seats(c.id).filter((s) => sessions.sessionOf(s.visitorId) || sessions.isStarting(s.visitorId)).length;
      extra += Math.max(0, c.prewarm - running);
    }
    sessions.setWarmExtra(extra);
  }

  // ---- attendees ----

  /** Joins (or rejoins, keeping the seat) with a code and a display name. */
  join(typedCode: string, visitorId: string, displayName: string): AttendeeClassroom {
    const code = normalizeJoinCode(typedCode);
    const c = code && this.options.store.byCode(code);
    if (!c) throw new ClassroomError('BAD_CODE', 'no classroom has this code; check it with your instructor (8 letters and digits)');
    if (c.endedAt !== null) throw new ClassroomError('CLASSROOM_CLOSED', 'this classroom has ended; ask your instructor for the code of a new one');
    const now = this.options.now();
    if (c.startsAt !== null && now < c.startsAt - 15 * 60_000) throw new ClassroomError('NOT_OPEN_YET', `this classroom opens 15 minutes before it starts, at ${new Date(c.startsAt - 15 * 60_000).toISOString()}`);
    if (c.endsAt !== null && now > c.endsAt) throw new ClassroomError('CLASSROOM_CLOSED', 'this classroom is past its end time; ask your instructor');
    const taken = this.options.store.takeSeat(c.id, visitorId, displayName, c.seats, now);
    if (!taken) throw new ClassroomError('CLASSROOM_FULL', `all ${c.seats} seats are taken; ask your instructor to add seats or free one`);
    this.changed(c.id);
    return this.attendeeState(c, taken.seat);
  }

  /** The visitor's classroom, for their page; undefined when they are in none. */
  attendeeView(visitorId: string): AttendeeClassroom | undefined {
    const seat = this.options.store.activeSeat(visitorId);
    return seat && this.attendeeState(this.record(seat.classroomId), seat);
  }

  private attendeeState(c: ClassroomRecord, seat: SeatRecord): AttendeeClassroom {
    const progress = this.options.store.progress([seat.visitorId], c.labs);
    return {
      id: c.id,
      name: c.name,
      displayName: seat.displayName,
      seat: seat.seat,
      labs: c.labs.map((slug) => ({
        slug,
        title: this.options.labs(slug)?.manifest.title ?? slug,
        steps: this.options.labs(slug)?.steps.length ?? 0,
        passedSteps: progress.filter((p) => p.lab === slug && p.passedAt !== null).map((p) => p.step).sort((a, b) => a - b),
      })),
      pace: c.pace,
      handRaised: this.options.store.openHands(c.id).some((h) => h.visitorId === seat.visitorId),
      endedAt: c.endedAt,
      takeover: this.takeovers.get(seat.visitorId) ?? 'none',
    };
  }

  private seatOf(visitorId: string): { c: ClassroomRecord; seat: SeatRecord } {
    const seat = this.options.store.activeSeat(visitorId);
    if (!seat) throw new ClassroomError('NOT_IN_CLASSROOM', 'you are not in a classroom; join with the code your instructor gave you');
    return { c: this.record(seat.classroomId), seat };
  }

  private sendState(visitorId: string): void {
    const state = this.attendeeView(visitorId);
    if (state) this.push?.toAttendee(visitorId, 'classroom:state', state);
  }

  /** The rules a classroom sets for its labs (gating, session length, pace); see SessionPolicy. */
  policy(visitorId: string, slug: string): SessionPolicy | undefined {
    const seat = this.options.store.activeSeat(visitorId);
    const c = seat && this.options.store.get(seat.classroomId);
    if (!c || !c.labs.includes(slug)) return undefined;
    return { gated: c.gated, sessionMinutes: c.sessionMinutes, maxStep: c.pace?.lab === slug ? c.pace.step : undefined };
  }

  /** Whether this visitor's labs follow a classroom's gating (for the lab routes). */
  gatedFor(visitorId: string, slug: string): boolean | undefined {
    return this.policy(visitorId, slug)?.gated;
  }

  raiseHand(visitorId: string, raised: boolean, note = ''): void {
    const { c } = this.seatOf(visitorId);
    if (raised) this.options.store.raiseHand(c.id, visitorId, note, this.options.now());
    else this.options.store.resolveHands(c.id, { visitorId }, this.options.now());
    this.sendState(visitorId);
    this.changed(c.id);
  }

  /** The attendee answers the instructor's request to type in their terminal, or withdraws it. */
  consent(visitorId: string, allow: boolean): void {
    const { c } = this.seatOf(visitorId);
    if (allow && this.takeovers.get(visitorId) !== 'asked' && this.takeovers.get(visitorId) !== 'granted') throw new ClassroomError('NOT_ASKED', 'your instructor has not asked to type in your terminal');
    if (allow) this.takeovers.set(visitorId, 'granted');
    else this.takeovers.delete(visitorId);
    this.sendState(visitorId);
    this.changed(c.id);
  }

  // ---- instructor: acting on the room ----

  private targets(c: ClassroomRecord, visitors: string[] | undefined): SeatRecord[] {
    const seats = this.options.store.seats(c.id);
    return visitors ? seats.filter((s) => visitors.includes(s.visitorId)) : seats;
  }

  resolveHand(id: string, handId: number): void {
    const c = this.record(id);
    for (const visitorId of this.options.store.resolveHands(c.id, { id: handId }, this.options.now())) this.sendState(visitorId);
    this.changed(c.id);
  }

  message(id: string, text: string, visitors?: string[]): number {
    const c = this.live(id);
    const at = this.options.now();
    const seats = this.targets(c, visitors);
    this.options.store.addMessage(c.id, visitors && seats.length === 1 ? seats[0]!.visitorId : null, text, at);
    for (const s of seats) this.push?.toAttendee(s.visitorId, 'classroom:message', { text, at, direct: visitors !== undefined });
    return seats.length;
  }

  /** Resets the labs of some or all seats to step 1 of their lab (progress is kept). */
  async reset(id: string, visitors?: string[]): Promise<{ reset: number; failed: { visitorId: string; message: string }[] }> {
    const c = this.live(id);
    const sessions = this.options.sessions;
    const failed: { visitorId: string; message: string }[] = [];
    let reset = 0;
    await Promise.all(
      this.targets(c, visitors).map(async (s) => {
        const session = sessions?.sessionOf(s.visitorId);
        if (!sessions || !session) return;
        try {
          await sessions.reset(session.sessionId, s.visitorId);
          reset++;
          this.push?.toAttendee(s.visitorId, 'classroom:reset', { message: 'Your instructor reset your lab to its first step.' });
        } catch (error) {
          failed.push({ visitorId: s.visitorId, message: error instanceof SessionError ? error.message : messageOf(error) });
        }
      }),
    );
    this.changed(c.id);
    return { reset, failed };
  }

  /** Gives some or all seats' sessions more minutes. */
  extend(id: string, minutes: number, visitors?: string[]): number {
    const c = this.live(id);
    let extended = 0;
    for (const s of this.targets(c, visitors)) {
      const session = this.options.sessions?.sessionOf(s.visitorId);
      if (!session) continue;
      this.options.sessions!.extendBy(session.sessionId, minutes * 60_000);
      extended++;
    }
    this.changed(c.id);
    return extended;
  }

  /** Holds the class at a step of a lab (nobody opens a later one), or releases it with null. */
  pace(id: string, pace: { lab: string; step: number } | null): void {
    const c = this.live(id);
    if (pace && !c.labs.includes(pace.lab)) throw new ClassroomError('NO_SUCH_LAB', `lab '${pace.lab}' is not part of this classroom`);
    this.options.store.setPace(c.id, pace);
    for (const s of this.options.store.seats(c.id)) this.sendState(s.visitorId);
    this.changed(c.id);
  }

  /** Asks an attendee to let the instructor type in their terminal. */
  requestTakeover(id: string, visitorId: string): void {
    const c = this.live(id);
    if (!this.options.store.seats(c.id).some((s) => s.visitorId === visitorId)) throw new ClassroomError('NOT_IN_CLASSROOM', 'this attendee is not in the classroom');
    if (this.takeovers.get(visitorId) !== 'granted') this.takeovers.set(visitorId, 'asked');
    this.push?.toAttendee(visitorId, 'classroom:takeover-request');
    this.sendState(visitorId);
    this.changed(c.id);
  }

  /** The instructor hands the terminal back. */
  releaseTakeover(id: string, visitorId: string): void {
    const c = this.record(id);
    this.takeovers.delete(visitorId);
    this.sendState(visitorId);
    this.changed(c.id);
  }

  /** Whether the instructor may type into this session's terminals now. */
  mayWrite(sessionId: string): boolean {
    const visitorId = this.visitorOfSession(sessionId);
    return visitorId !== undefined && this.takeovers.get(visitorId) === 'granted';
  }

  /** The visitor of a session, if that visitor sits in an open classroom (what a shadow may watch). */
  visitorOfSession(sessionId: string): string | undefined {
    for (const c of this.options.store.list()) {
      if (c.endedAt !== null) continue;
      for (const s of this.options.store.seats(c.id)) if (this.options.sessions?.sessionOf(s.visitorId)?.sessionId === sessionId) return s.visitorId;
    }
    return undefined;
  }

  /** Ends the classroom: every seat's session (and its cluster) goes, the pre-warm stops. */
  async end(id: string, message = 'Your instructor ended the classroom. Thank you for taking part!'): Promise<{ ended: number }> {
    const c = this.live(id);
    this.options.store.end(c.id, this.options.now());
    let ended = 0;
    for (const s of this.options.store.seats(c.id)) {
      this.takeovers.delete(s.visitorId);
      this.push?.toAttendee(s.visitorId, 'classroom:ended', { message });
      const session = this.options.sessions?.sessionOf(s.visitorId);
      if (session && c.labs.includes(session.slug)) {
        await this.options.sessions!.end(session.sessionId, s.visitorId).catch((error: unknown) => this.options.log?.warn({ err: messageOf(error) }, 'could not end a seat session'));
        ended++;
      }
    }
    this.updateWarmPool();
    this.changed(c.id);
    return { ended };
  }

  // ---- afterwards ----

  exportData(id: string, format: 'csv' | 'json'): string {
    const c = this.record(id);
    const seats = this.options.store.seats(id);
    const visitors = seats.map((s) => s.visitorId);
    const rows = exportRows(this.columns(c), seats, this.options.store.progress(visitors, c.labs), this.options.store.attempts(visitors, c.labs));
    if (format === 'csv') return toCsv(rows);
    return JSON.stringify({ classroom: { id: c.id, name: c.name, labs: c.labs, createdAt: new Date(c.createdAt).toISOString(), endedAt: c.endedAt && new Date(c.endedAt).toISOString() }, rows }, null, 2);
  }

  summary(id: string): ReturnType<typeof summarize> & { classroom: ClassroomInfo } {
    const c = this.record(id);
    const seats = this.options.store.seats(id);
    const visitors = seats.map((s) => s.visitorId);
    return { classroom: this.info(c), ...summarize(this.columns(c), seats, this.options.store.progress(visitors, c.labs), this.options.store.attempts(visitors, c.labs)) };
  }

  /** The attendee's commands and Check results in time order; commands need a running session. */
  async timeline(id: string, visitorId: string): Promise<{ entries: TimelineEntry[]; commands: 'read' | 'no-session' | string }> {
    const c = this.record(id);
    const seat = this.options.store.seats(id).find((s) => s.visitorId === visitorId);
    if (!seat) throw new ClassroomError('NOT_IN_CLASSROOM', 'this attendee is not in the classroom');
    const checks: TimelineEntry[] = this.options.store.attempts([visitorId], c.labs).map((a) => ({ at: a.at, kind: 'check', lab: a.lab, step: a.step, passed: a.passed, failed: a.failed }));
    const steps: TimelineEntry[] = this.options.store.progress([visitorId], c.labs).flatMap((p) => (p.startedAt === null ? [] : [{ at: p.startedAt, kind: 'step' as const, lab: p.lab, step: p.step }]));
    let commands: TimelineEntry[] = [];
    let status = 'no-session';
    const session = this.options.sessions?.sessionOf(visitorId);
    if (session) {
      try {
        const r = await this.options.sessions!.toolboxExec(session.sessionId, READ_HISTORY_SCRIPT);
        commands = parseBashHistory(r.output).filter((e) => e.at >= seat.joinedAt - 60_000 || e.at === 0).map((e) => ({ at: e.at, kind: 'command', command: e.command }));
        status = 'read';
      } catch (error) {
        status = `the shell history could not be read: ${messageOf(error)}`;
      }
    }
    return { entries: mergeTimeline(steps, checks, commands), commands: status };
  }

  dispose(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    for (const s of this.subscriptions) s.dispose();
  }
}

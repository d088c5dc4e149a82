// Keeps a fast program (`yes`, `cat big.log`) from flooding browsers: output is paused at the pty
// until every attached client has rendered most of what it was sent. Pure: the caller supplies
// the time and acts on the decision (pty.pause()/resume(), detaching stalled clients).
//
// How the numbers relate. A client acknowledges cumulatively after xterm.js has parsed a chunk
// (term.write's callback). The pty is paused as soon as any client has more than HIGH bytes
// unacknowledged, and resumed only when every client is back under LOW: the gap between the two
// keeps pause/resume from flapping on every chunk. HIGH (128 KiB) is about what xterm.js parses
// in a few frames, so a paused pty costs little latency, while one chunk read from the pty (up to
// 64 KiB) always fits under it without a pause. LOW (16 KiB) must exceed the client's ack batch
// (8 KiB, client/terminal/terminal-stream.ts), otherwise a client holding back its last partial
// batch could keep the pty paused until its ack timer fires. Pausing never blocks input: Ctrl-C
// still reaches the pty, and the kernel discards pending output on SIGINT.
//
// A client that keeps the pty paused without acknowledging anything for STALL (15 s: a frozen
// tab, a dead network path the socket has not noticed yet) is detached rather than holding every
// other viewer of the terminal hostage; it is told so and can re-attach from its last offset.

/** The three tuned numbers; see the paragraph above for how they relate. */
export interface FlowSettings {
  highWatermark: number;
  lowWatermark: number;
  stallTimeoutMs: number;
}

/** Defaults for a browser terminal. */
export const DEFAULT_FLOW_SETTINGS: FlowSettings = {
  highWatermark: 128 * 1024,
  lowWatermark: 16 * 1024,
  stallTimeoutMs: 15_000,
};

/** One attached client as the decision sees it. */
export interface ClientFlow {
  id: string;
  /** Bytes sent but not yet acknowledged. */
  unacked: number;
  /** When this client last acknowledged something, or last started having anything unacknowledged. */
  progressAt: number;
}

/** What to do now. */
export interface FlowDecision {
  paused: boolean;
  /** Clients to detach: they have held the pty paused for too long without acknowledging. */
  stalled: string[];
  /** While paused, when to decide again even if nothing arrives (a stall deadline). */
  recheckAt?: number;
}

/** Pure: whether the pty should be paused, given every attached client and the current state. */
export function decideFlow(clients: readonly ClientFlow[], wasPaused: boolean, now: number, settings: FlowSettings): FlowDecision {
  const blocking = (c: ClientFlow): boolean => c.unacked > (wasPaused ? settings.lowWatermark : settings.highWatermark);
  const stalled = wasPaused ? clients.filter((c) => blocking(c) && now - c.progressAt >= settings.stallTimeoutMs).map((c) => c.id) : [];
  const remaining = clients.filter((c) => !stalled.includes(c.id));
  const holders = remaining.filter(blocking);
  if (holders.length === 0) return { paused: false, stalled };
  const recheckAt = Math.min(...holders.map((c) => c.progressAt + settings.stallTimeoutMs));
  return { paused: true, stalled, recheckAt };
}

/** Result of recording an acknowledgement. */
export type AckOutcome = 'advanced' | 'stale' | 'beyond-sent' | 'unknown-client';

/** Sent and acknowledged offsets per attached client; feeds decideFlow. */
export class FlowLedger {
  private readonly clients = new Map<string, { sent: number; acked: number; progressAt: number }>();

  /** A client starts receiving at `seq` (the first byte of its replay). */
  add(id: string, seq: number, now: number): void {
    this.clients.set(id, { sent: seq, acked: seq, progressAt: now });
  }

  remove(id: string): void {
    this.clients.delete(id);
  }

  /** Output up to `endSeq` was sent to every client. */
  sentAll(endSeq: number, now: number): void {
    for (const c of this.clients.values()) this.sentTo(c, endSeq, now);
  }

  /** Output up to `endSeq` was sent to one client (its replay). */
  sent(id: string, endSeq: number, now: number): void {
    const c = this.clients.get(id);
    if (c) this.sentTo(c, endSeq, now);
  }

  ack(id: string, seq: number, now: number): AckOutcome {
    const c = this.clients.get(id);
    if (!c) return 'unknown-client';
    if (seq > c.sent) return 'beyond-sent';
    if (seq <= c.acked) return 'stale';
    c.acked = seq;
    c.progressAt = now;
    return 'advanced';
  }

  snapshot(): ClientFlow[] {
    return [...this.clients].map(([id, c]) => ({ id, unacked: c.sent - c.acked, progressAt: c.progressAt }));
  }

  private sentTo(c: { sent: number; acked: number; progressAt: number }, endSeq: number, now: number): void {
    if (endSeq <= c.sent) return;
    if (c.sent === c.acked) c.progressAt = now;
    c.sent = endSeq;
  }
}

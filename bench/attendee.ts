// A simulated attendee for the benches and the soak: a visitor cookie, the lab socket, and tab 1
// of the terminal acknowledging what it receives like the browser does. Commands carry a marker
// computed by the shell (`echo mk-$((n+1))`), so seeing the marker proves the command ran and its
// output arrived; markers sent and seen give the message loss.
import { performance } from 'node:perf_hooks';
import { type Socket, io as connect } from 'socket.io-client';
import type { Ack, CheckReply, LabReady, StepReply } from '../protocol/lab.js';

async function until(what: string, predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export class Attendee {
  private lab!: Socket;
  private terminal: Socket | undefined;
  private output = '';
  private markers = 0;
  ready: LabReady | undefined;
  /** Commands typed with a marker, and markers seen back. */
  readonly messages = { sent: 0, received: 0 };

  private constructor(readonly base: string) {}

  static async join(base: string): Promise<Attendee> {
    const a = new Attendee(base);
    const me = (await (await fetch(`${base}/api/me`)).json()) as { socketToken: string };
    a.lab = a.open('/lab', me.socketToken);
    await new Promise<void>((resolve, reject) => {
      a.lab.once('connect', () => resolve());
      a.lab.once('connect_error', reject);
    });
    return a;
  }

  private open(ns: string, token: string): Socket {
    return connect(`${this.base}${ns}`, { transports: ['websocket'], reconnection: true, forceNew: true, auth: { token }, extraHeaders: { origin: this.base } });
  }

  /** Starts the lab and waits for the shell prompt; seconds from lab:start to the prompt. */
  async start(slug: string, promptTimeoutMs = 120_000): Promise<number> {
    const t0 = performance.now();
    const started = (await this.lab.timeout(900_000).emitWithAck('lab:start', { slug })) as Ack<LabReady>;
    if (!started.ok) throw new Error(`lab:start failed: ${started.error.code}: ${started.error.message}`);
    const { ok: _ok, ...ready } = started;
    this.ready = ready as LabReady;
    const terminal = this.open('/terminal', this.ready.sessionToken);
    this.terminal = terminal;
    const ref = { sessionId: this.ready.sessionId, terminalId: '1' };
    let nextSeq = 0;
    terminal.on('terminal:attached', (m: { startSeq: number }) => (nextSeq = m.startSeq));
    terminal.on('terminal:output', (m: { seq: number; data: ArrayBuffer | Uint8Array }) => {
      let bytes = m.data instanceof Uint8Array ? m.data : new Uint8Array(m.data);
      const end = m.seq + bytes.byteLength;
      if (end <= nextSeq) return;
      if (m.seq < nextSeq) bytes = bytes.subarray(nextSeq - m.seq);
      nextSeq = end;
      this.output = (this.output + Buffer.from(bytes).toString('utf8')).slice(-64 * 1024);
      terminal.emit('terminal:ack', { ...ref, seq: end });
    });
    const attach = () => terminal.emit('terminal:attach', { ...ref, cols: 120, rows: 40, ...(nextSeq > 0 && { fromSeq: nextSeq }) });
    terminal.on('connect', attach);
    await until('the shell prompt', () => this.output.includes('learner@kubelab'), promptTimeoutMs);
    return (performance.now() - t0) / 1000;
  }

  /** Types a command followed by a marker; ms until the marker is back. Throws on timeout (counted as lost). */
  async run(command: string, timeoutMs = 60_000): Promise<number> {
    if (!this.terminal || !this.ready) throw new Error('start a lab first');
    const n = ++this.markers;
    const marker = `mk-${n * 7 + 1}`;
    this.messages.sent++;
    const t0 = performance.now();
    this.terminal.emit('terminal:input', { sessionId: this.ready.sessionId, terminalId: '1', data: `${command}; echo mk-$((${n}*7+1))\r` });
    await until(`marker ${marker}`, () => this.output.includes(marker), timeoutMs);
    this.messages.received++;
    return performance.now() - t0;
  }

  async check(): Promise<{ ms: number; passed: boolean }> {
    const t0 = performance.now();
    const reply = (await this.lab.timeout(300_000).emitWithAck('lab:check', { sessionId: this.ready?.sessionId })) as Ack<CheckReply>;
    if (!reply.ok) throw new Error(`lab:check failed: ${reply.error.code}: ${reply.error.message}`);
    return { ms: performance.now() - t0, passed: reply.passed };
  }

  /** lab:jump (reset, then the solutions of the steps before) or lab:reset; ms until answered. */
  async restart(event: 'lab:jump' | 'lab:reset', step?: number): Promise<number> {
    const t0 = performance.now();
    const reply = (await this.lab.timeout(900_000).emitWithAck(event, { sessionId: this.ready?.sessionId, ...(step !== undefined && { step }) })) as Ack<StepReply>;
    if (!reply.ok) throw new Error(`${event} failed: ${reply.error.code}: ${reply.error.message}`);
    return performance.now() - t0;
  }

  async end(): Promise<void> {
    if (this.ready) await this.lab.timeout(300_000).emitWithAck('lab:end', { sessionId: this.ready.sessionId }).catch(() => undefined);
    this.close();
  }

  close(): void {
    this.terminal?.disconnect();
    this.lab.disconnect();
  }
}

/** ms for one GET, or Infinity when it fails. */
export async function timedGet(url: string): Promise<number> {
  const t0 = performance.now();
  const ok = await fetch(url).then((r) => r.arrayBuffer().then(() => r.ok), () => false);
  return ok ? performance.now() - t0 : Number.POSITIVE_INFINITY;
}

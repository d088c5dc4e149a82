// One terminal and everything that depends on it: the replay buffer, per-client flow control, the
// shared size, exit and idle tracking. Clients are interfaces, not sockets, so the same object
// serves socket.io, tests and benchmarks. The pty runs whatever argv the session chose (in
// production `docker exec -it -u learner <toolbox> bash -l`); this layer never decides it.
//
// A terminal outlives its program: when the shell exits, a notice is appended to the output and
// restart() spawns a new program in the same terminal. Output offsets keep counting across
// programs, so every attached tab (and any tab that re-attaches later) stays consistent.
import pty from '@lydell/node-pty';
import type { IDisposable, IPty } from '@lydell/node-pty';
import type { TerminalExitInfo, TerminalReplayGap } from '../../protocol/terminal.js';
import { TerminalError } from './errors.js';
import { DEFAULT_FLOW_SETTINGS, FlowLedger, decideFlow } from './flow-control.js';
import type { FlowSettings } from './flow-control.js';
import { ReplayBuffer } from './replay-buffer.js';
import { effectiveSize } from './terminal-size.js';
import type { TerminalSize } from './terminal-size.js';

/** What to run in the pty; decided by the session layer. */
export interface TerminalLaunch {
  file: string;
  args: readonly string[];
  env: Record<string, string>;
  cwd: string;
  /** TERM for the program; xterm.js speaks xterm-256color. */
  termName?: string;
  /** Size before any client attaches. */
  initialSize?: TerminalSize;
}

/**
 * Tunables. Replay: 256 KiB holds several full screens of history plus the scrollback a reconnect
 * usually needs, at a fixed cost per terminal (a workshop of 100 attendees with 3 tabs is 75 MiB).
 * killGraceMs: how long dispose() waits after SIGHUP before SIGKILL.
 */
export interface TerminalOptions {
  replayBytes?: number;
  flow?: Partial<FlowSettings>;
  killGraceMs?: number;
  now?: () => number;
}

/** Default replay size; see TerminalOptions. */
export const DEFAULT_REPLAY_BYTES = 256 * 1024;

/** What a client is told when it attaches; its replay follows as output calls. */
export interface AttachInfo {
  startSeq: number;
  endSeq: number;
  gap?: TerminalReplayGap;
  size: TerminalSize;
  exit?: TerminalExitInfo;
}

/** Receives one attached client's events: a socket, a test, a recorder. Calls are synchronous. */
export interface TerminalClient {
  attached(info: AttachInfo): void;
  output(seq: number, data: Uint8Array): void;
  size(size: TerminalSize): void;
  exit(info: TerminalExitInfo): void;
  /** A new program started after an exit; its output follows from offset `seq`. */
  restarted(seq: number): void;
  /** The client was detached for not acknowledging output; it may attach again from its offset. */
  stalled(): void;
}

/** One client's handle on a terminal; dispose() detaches it. */
export interface TerminalAttachment extends IDisposable {
  readonly id: string;
  input(data: string): void;
  resize(size: TerminalSize): void;
  /** Every byte before `seq` has been rendered; false when seq is beyond what was sent. */
  ack(seq: number): boolean;
}

/** Counters for logs and tests. */
export interface TerminalStats {
  endSeq: number;
  attached: number;
  paused: boolean;
  /** How many times flow control paused the pty. */
  pauses: number;
  /** Clients detached for not acknowledging. */
  stalls: number;
}

interface Attached {
  client: TerminalClient;
  /** undefined for a watcher that follows the others' size (an instructor's shadow). */
  size: TerminalSize | undefined;
}

const DEFAULT_SIZE: TerminalSize = { cols: 80, rows: 24 };

/**
 * Appended to the output when the program ends on its own (not when the terminal is disposed), so
 * every tab, and a tab attaching later, sees why the screen stopped and how to go on.
 */
export function exitNotice(info: TerminalExitInfo): string {
  const how = info.signal ? ` (signal ${info.signal})` : info.exitCode !== 0 ? ` with code ${info.exitCode}` : '';
  return `\r\n\x1b[2m[shell exited${how} — press Enter to start a new one]\x1b[0m\r\n`;
}

const encoder = new TextEncoder();

function spawn(launch: TerminalLaunch, size: TerminalSize): IPty {
  try {
    return pty.spawn(launch.file, [...launch.args], {
      name: launch.termName ?? 'xterm-256color',
      cols: size.cols,
      rows: size.rows,
      cwd: launch.cwd,
      env: launch.env,
      encoding: null,
    });
  } catch (error) {
    throw new TerminalError('TERMINAL_START_FAILED', `could not start ${[launch.file, ...launch.args].join(' ')} in ${launch.cwd}: ${String(error)}; check that the program exists and the directory is readable`, { cause: error });
  }
}

/** A running (or ended) pty shared by any number of attached clients. */
export class Terminal implements IDisposable {
  private readonly replay: ReplayBuffer;
  private readonly ledger = new FlowLedger();
  private readonly flow: FlowSettings;
  private readonly now: () => number;
  private readonly clients = new Map<string, Attached>();
  private readonly exitListeners = new Set<(info: TerminalExitInfo) => void>();
  private subscriptions: IDisposable[] = [];
  private exited!: Promise<TerminalExitInfo>;
  private currentSize: TerminalSize;
  private exitInfo: TerminalExitInfo | undefined;
  private paused = false;
  private pauses = 0;
  private stalls = 0;
  private recheck: ReturnType<typeof setTimeout> | undefined;
  private nextClientId = 1;
  private lastInput: number;
  private disposing: Promise<void> | undefined;

  /** Spawns the program; throws TerminalError TERMINAL_START_FAILED when it cannot. */
  static start(launch: TerminalLaunch, options: TerminalOptions = {}): Terminal {
    const size = launch.initialSize ?? DEFAULT_SIZE;
    return new Terminal(spawn(launch, size), size, options);
  }

  private constructor(
    private process: IPty,
    size: TerminalSize,
    private readonly options: TerminalOptions,
  ) {
    this.replay = new ReplayBuffer(options.replayBytes ?? DEFAULT_REPLAY_BYTES);
    this.flow = { ...DEFAULT_FLOW_SETTINGS, ...options.flow };
    this.now = options.now ?? Date.now;
    this.lastInput = this.now();
    this.currentSize = size;
    this.adopt(process);
  }

  // Wires a (new) program's output and exit to this terminal.
  private adopt(process: IPty): void {
    this.process = process;
    // With encoding: null node-pty hands out Buffers, whatever its typings say.
    this.subscriptions = [process.onData((chunk) => this.handleOutput(chunk as unknown as Uint8Array))];
    this.exited = new Promise((resolve) => {
      this.subscriptions.push(
        process.onExit(({ exitCode, signal }) => {
          const info: TerminalExitInfo = signal ? { exitCode, signal } : { exitCode };
          this.handleExit(info);
          resolve(info);
        }),
      );
    });
  }

  /**
   * Starts a new program in this terminal after the last one exited (the launch is asked afresh,
   * so it follows the session's current toolbox). Attached clients keep their attachments and
   * offsets; each is told where the new output begins. Returns false, doing nothing, while a
   * program still runs (two tabs pressing Enter start one shell) or once the terminal is disposed.
   * Throws TerminalError TERMINAL_START_FAILED when the program cannot be spawned.
   */
  restart(launch: TerminalLaunch): boolean {
    if (!this.exitInfo || this.disposing) return false;
    const process = spawn(launch, this.currentSize);
    for (const s of this.subscriptions) s.dispose();
    this.exitInfo = undefined;
    this.paused = false; // a fresh pty is never paused
    this.lastInput = this.now();
    this.adopt(process);
    const seq = this.replay.endSeq;
    for (const { client } of this.clients.values()) client.restarted(seq);
    this.evaluateFlow();
    return true;
  }

  /** Process id of the program in the pty (the docker client in production). */
  get pid(): number {
    return this.process.pid;
  }

  /** Offset one past the last output byte. */
  get endSeq(): number {
    return this.replay.endSeq;
  }

  get size(): TerminalSize {
    return { ...this.currentSize };
  }

  /** How the program ended, once it has. */
  get exit(): TerminalExitInfo | undefined {
    return this.exitInfo;
  }

  /** When a client last typed; the session layer reaps sessions idle for long. */
  get lastInputAt(): number {
    return this.lastInput;
  }

  stats(): TerminalStats {
    return { endSeq: this.replay.endSeq, attached: this.clients.size, paused: this.paused, pauses: this.pauses, stalls: this.stalls };
  }

  /** Calls `listener` once when the program ends (immediately if it already has). */
  onExit(listener: (info: TerminalExitInfo) => void): IDisposable {
    if (this.exitInfo) {
      listener(this.exitInfo);
      return { dispose: () => {} };
    }
    this.exitListeners.add(listener);
    return { dispose: () => this.exitListeners.delete(listener) };
  }

  /**
   * Attaches a client: it is told where its replay starts, gets the replay (bytes after fromSeq,
   * or the whole buffer with a gap), then live output. Its size joins the shared-size policy.
   */
  attach(client: TerminalClient, request: { fromSeq?: number; size: TerminalSize | 'follow' }): TerminalAttachment {
    const id = String(this.nextClientId++);
    const replay = this.replay.since(request.fromSeq);
    this.clients.set(id, { client, size: request.size === 'follow' ? undefined : request.size });
    const now = this.now();
    this.ledger.add(id, replay.startSeq, now);
    this.applySize();
    client.attached({
      startSeq: replay.startSeq,
      endSeq: this.replay.endSeq,
      size: this.size,
      ...(replay.gap && { gap: replay.gap }),
      ...(this.exitInfo && { exit: this.exitInfo }),
    });
    if (replay.bytes.byteLength > 0) {
      this.ledger.sent(id, this.replay.endSeq, now);
      client.output(replay.startSeq, replay.bytes);
    }
    this.evaluateFlow();
    return {
      id,
      input: (data) => this.input(id, data),
      resize: (size) => {
        const attached = this.clients.get(id);
        if (!attached) return;
        attached.size = size;
        this.applySize();
      },
      ack: (seq) => this.ack(id, seq),
      dispose: () => this.detach(id),
    };
  }

  /**
   * Ends the program: SIGHUP (a shell passes it to its jobs), SIGKILL to its process group after
   * the grace period. Resolves once it has exited; safe to call more than once.
   */
  dispose(): Promise<void> {
    this.disposing ??= this.kill();
    return this.disposing;
  }

  private async kill(): Promise<void> {
    this.clearRecheck();
    if (this.paused) this.setPaused(false); // a paused pty never reports its exit
    if (!this.exitInfo) {
      this.signal('SIGHUP');
      const grace = this.options.killGraceMs ?? 2_000;
      if (!(await this.exitWithin(grace))) {
        this.signal('SIGKILL', true);
        await this.exitWithin(grace);
      }
    }
    this.clients.clear();
    for (const s of this.subscriptions) s.dispose();
  }

  private signal(signal: NodeJS.Signals, group = false): void {
    try {
      if (group) process.kill(-this.process.pid, signal);
      else this.process.kill(signal);
    } catch {
      // already gone
    }
  }

  private async exitWithin(ms: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const done = await Promise.race([this.exited.then(() => true), timeout]);
    clearTimeout(timer);
    return done;
  }

  private input(id: string, data: string): void {
    if (!this.clients.has(id) || this.exitInfo || this.disposing) return;
    this.lastInput = this.now();
    this.process.write(data);
  }

  private ack(id: string, seq: number): boolean {
    const outcome = this.ledger.ack(id, seq, this.now());
    if (outcome === 'advanced') this.evaluateFlow();
    return outcome !== 'beyond-sent';
  }

  private detach(id: string): void {
    if (!this.clients.delete(id)) return;
    this.ledger.remove(id);
    this.applySize();
    this.evaluateFlow();
  }

  private handleOutput(chunk: Uint8Array): void {
    const seq = this.replay.endSeq;
    this.replay.append(chunk);
    this.ledger.sentAll(this.replay.endSeq, this.now());
    for (const { client } of this.clients.values()) client.output(seq, chunk);
    this.evaluateFlow();
  }

  private handleExit(info: TerminalExitInfo): void {
    if (!this.disposing) this.handleOutput(encoder.encode(exitNotice(info)));
    this.exitInfo = info;
    this.clearRecheck();
    for (const { client } of this.clients.values()) client.exit(info);
    for (const listener of this.exitListeners) listener(info);
    this.exitListeners.clear();
  }

  private applySize(): void {
    const size = effectiveSize([...this.clients.values()].flatMap((c) => (c.size ? [c.size] : [])));
    if (!size || (size.cols === this.currentSize.cols && size.rows === this.currentSize.rows)) return;
    this.currentSize = size;
    if (!this.exitInfo) {
      try {
        this.process.resize(size.cols, size.rows);
      } catch {
        // the pty closed between exit and its report; nothing to resize
      }
    }
    for (const { client } of this.clients.values()) client.size(this.size);
  }

  private evaluateFlow(): void {
    if (this.disposing) return;
    const now = this.now();
    const decision = decideFlow(this.ledger.snapshot(), this.paused, now, this.flow);
    for (const id of decision.stalled) {
      const attached = this.clients.get(id);
      this.stalls++;
      this.detach(id);
      attached?.client.stalled();
    }
    if (decision.stalled.length > 0) return; // detach() re-evaluated without them
    this.setPaused(decision.paused);
    this.clearRecheck();
    if (decision.recheckAt !== undefined) {
      this.recheck = setTimeout(() => this.evaluateFlow(), Math.max(0, decision.recheckAt - now));
      this.recheck.unref?.();
    }
  }

  private setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    if (paused) {
      this.pauses++;
      this.process.pause();
    } else {
      this.process.resume();
    }
  }

  private clearRecheck(): void {
    if (this.recheck !== undefined) clearTimeout(this.recheck);
    this.recheck = undefined;
  }
}

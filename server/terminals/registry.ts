// All live terminals of this server, keyed by session and terminal id: a browser tab that attaches
// to an existing key shares the terminal; the session layer reaps idle sessions and the app
// disposes everything on shutdown.
import type { TerminalRef } from '../../protocol/terminal.js';
import { TerminalError } from './errors.js';
import { Terminal } from './terminal.js';
import type { TerminalLaunch, TerminalOptions } from './terminal.js';

/**
 * Decides what a terminal id of a session runs, or undefined when the session has no such
 * terminal. Supplied by the session layer (e.g. `docker exec -it -u learner <toolbox> bash -l`).
 */
export type TerminalLauncher = (ref: TerminalRef) => TerminalLaunch | undefined;

/** How the registry starts terminals. */
export interface TerminalRegistryOptions {
  launch: TerminalLauncher;
  terminal?: TerminalOptions;
}

const keyOf = (ref: TerminalRef): string => `${ref.sessionId}/${ref.terminalId}`;

/** Owns every terminal; a terminal stays (with its exit code and replay) until closed or disposed. */
export class TerminalRegistry {
  private readonly terminals = new Map<string, { ref: TerminalRef; terminal: Terminal }>();
  private disposed = false;

  constructor(private readonly options: TerminalRegistryOptions) {}

  get(ref: TerminalRef): Terminal | undefined {
    return this.terminals.get(keyOf(ref))?.terminal;
  }

  /**
   * The terminal under `ref`, started through the launcher if it does not exist yet. Throws
   * TerminalError: TERMINAL_NOT_FOUND when the launcher knows no such terminal,
   * TERMINAL_START_FAILED when it cannot be spawned.
   */
  open(ref: TerminalRef): Terminal {
    const existing = this.get(ref);
    if (existing) return existing;
    if (this.disposed) throw new TerminalError('TERMINAL_START_FAILED', 'the server is shutting down; reconnect in a moment');
    const launch = this.options.launch(ref);
    if (!launch) throw new TerminalError('TERMINAL_NOT_FOUND', `session ${ref.sessionId} has no terminal '${ref.terminalId}'; open one of the session's terminal tabs`);
    const terminal = Terminal.start(launch, this.options.terminal);
    this.terminals.set(keyOf(ref), { ref: { ...ref }, terminal });
    return terminal;
  }

  /**
   * Starts a new program in a terminal whose program exited, through the launcher (so it runs in
   * the session's current toolbox). False when the program still runs. Throws TerminalError:
   * TERMINAL_NOT_FOUND when there is no such terminal or the session no longer launches it,
   * TERMINAL_START_FAILED when it cannot be spawned.
   */
  restart(ref: TerminalRef): boolean {
    const terminal = this.get(ref);
    const launch = terminal && !this.disposed ? this.options.launch(ref) : undefined;
    if (!terminal || !launch) throw new TerminalError('TERMINAL_NOT_FOUND', `session ${ref.sessionId} has no terminal '${ref.terminalId}' to restart; the session may have ended, start the lab again`);
    return terminal.restart(launch);
  }

  /** Terminals of one session, in the order they were opened. */
  list(sessionId: string): Terminal[] {
    return [...this.terminals.values()].filter((t) => t.ref.sessionId === sessionId).map((t) => t.terminal);
  }

  /** Latest input across a session's terminals, for idle reaping; undefined if it has none. */
  lastInputAt(sessionId: string): number | undefined {
    const times = this.list(sessionId).map((t) => t.lastInputAt);
    return times.length > 0 ? Math.max(...times) : undefined;
  }

  /** Ends one terminal and forgets it; attaching to its id again starts a new one. */
  async close(ref: TerminalRef): Promise<void> {
    const entry = this.terminals.get(keyOf(ref));
    if (!entry) return;
    this.terminals.delete(keyOf(ref));
    await entry.terminal.dispose();
  }

  /** Ends every terminal of a session (the session ended or was reaped). */
  async disposeSession(sessionId: string): Promise<void> {
    const refs = [...this.terminals.values()].filter((t) => t.ref.sessionId === sessionId).map((t) => t.ref);
    await Promise.all(refs.map((ref) => this.close(ref)));
  }

  /** Graceful shutdown: ends every terminal and refuses new ones. */
  async disposeAll(): Promise<void> {
    this.disposed = true;
    const all = [...this.terminals.values()];
    this.terminals.clear();
    await Promise.all(all.map((t) => t.terminal.dispose()));
  }
}

// The browser side of one terminal's byte stream, without any DOM: it attaches over a socket,
// writes output into a sink (an xterm.js Terminal, in the browser or headless), acknowledges what
// the sink has parsed, and re-attaches after a dropped socket from the last offset it saw, so
// output is neither lost nor repeated. TerminalView puts it on a page; tests drive it headless.
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../protocol/index.js';
import type {
  TerminalAttachedMessage,
  TerminalErrorMessage,
  TerminalExitInfo,
  TerminalLimits,
  TerminalOutputMessage,
  TerminalRef,
  TerminalRestartedMessage,
  TerminalSizeMessage,
} from '../../protocol/terminal.js';

/** The typed socket a page opens once and shares between its terminals and other widgets. */
export type TerminalClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Where output goes; an xterm.js Terminal satisfies it. */
export interface TerminalSink {
  write(data: Uint8Array | string, callback?: () => void): void;
}

/** What the page wants to hear about. */
export interface TerminalStreamListeners {
  onAttached?: (message: TerminalAttachedMessage) => void;
  onExit?: (info: TerminalExitInfo) => void;
  /** A new shell started after an exit (this tab or another asked for it). */
  onRestart?: (seq: number) => void;
  onError?: (error: TerminalErrorMessage) => void;
  onSize?: (size: { cols: number; rows: number }) => void;
}

/**
 * Acks are batched: one message per ACK_BATCH_BYTES parsed, or after ACK_DELAY_MS for the rest.
 * The batch must stay below the server's low watermark (16 KiB, server/terminals/flow-control.ts)
 * so that a paused pty resumes without waiting for the timer.
 */
export const ACK_BATCH_BYTES = 8 * 1024;
/** See ACK_BATCH_BYTES. */
export const ACK_DELAY_MS = 20;

// Input messages stay under the server's limit; a UTF-16 unit is at most 3 UTF-8 bytes.
const MAX_INPUT_BYTES: TerminalLimits['maxInputBytes'] = 65536;
const INPUT_CHUNK_CHARS = Math.floor(MAX_INPUT_BYTES / 3);
// Keystrokes typed while the socket is down are sent on re-attach, up to this much.
const MAX_QUEUED_INPUT_CHARS = 4096;

/** One terminal's output and input over a shared socket. */
export class TerminalStream {
  private attached = false;
  private everAttached = false;
  private nextSeq = 0;
  private rendered = 0;
  private ackSent = 0;
  private generation = 0;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private queuedInput = '';
  private exitInfo: TerminalExitInfo | undefined;
  private restartRequested = false;
  /** A command to type into the next shell (a Run pressed after the shell exited). */
  private afterRestart = '';
  private disposed = false;
  private readonly ref: TerminalRef;
  private readonly handlers: { [E in keyof ServerToClientEvents]: ServerToClientEvents[E] };
  private readonly onConnect = (): void => this.attach();
  private readonly onDisconnect = (): void => {
    this.attached = false;
  };

  constructor(
    private readonly socket: TerminalClientSocket,
    ref: TerminalRef,
    private readonly sink: TerminalSink,
    private size: { cols: number; rows: number },
    private readonly listeners: TerminalStreamListeners = {},
  ) {
    this.ref = { sessionId: ref.sessionId, terminalId: ref.terminalId };
    const mine = (m: TerminalRef): boolean => m.sessionId === this.ref.sessionId && m.terminalId === this.ref.terminalId;
    this.handlers = {
      'terminal:attached': (m) => mine(m) && this.handleAttached(m),
      'terminal:output': (m) => mine(m) && this.handleOutput(m),
      'terminal:size': (m) => mine(m) && this.handleSize(m),
      'terminal:exit': (m) => mine(m) && this.handleExit(m),
      'terminal:restarted': (m) => mine(m) && this.handleRestarted(m),
      'terminal:error': (m) => m.sessionId === this.ref.sessionId && m.terminalId === this.ref.terminalId && this.handleError(m),
    };
    for (const [event, handler] of Object.entries(this.handlers)) socket.on(event as keyof ServerToClientEvents, handler as never);
    socket.on('connect', this.onConnect);
    socket.on('disconnect', this.onDisconnect);
    if (socket.connected) this.attach();
  }

  /** Offset one past the last output byte received: where a re-attach resumes. */
  get seq(): number {
    return this.nextSeq;
  }

  /** Offset one past the last byte the sink has parsed. */
  get renderedSeq(): number {
    return this.rendered;
  }

  /** How the program ended, once it has. */
  get exit(): TerminalExitInfo | undefined {
    return this.exitInfo;
  }

  get isAttached(): boolean {
    return this.attached;
  }

  /**
   * Sends keystrokes or text, in pieces within the server's message limit. After the shell exited,
   * Enter asks for a new one (the server's exit notice says so) and other keys are dropped.
   */
  input(data: string): void {
    if (this.disposed) return;
    if (this.exitInfo) {
      if (/[\r\n]/.test(data)) this.restart();
      return;
    }
    if (!this.attached) {
      this.queuedInput = (this.queuedInput + data).slice(0, MAX_QUEUED_INPUT_CHARS);
      return;
    }
    for (let at = 0; at < data.length; ) {
      let end = Math.min(data.length, at + INPUT_CHUNK_CHARS);
      if (end < data.length && isHighSurrogate(data.charCodeAt(end - 1))) end--;
      this.socket.emit('terminal:input', { ...this.ref, data: data.slice(at, end) });
      at = end;
    }
  }

  /** Asks for a new shell after an exit; once, until the server answers. */
  restart(): void {
    if (this.disposed || !this.exitInfo || this.restartRequested || !this.attached) return;
    this.restartRequested = true;
    this.socket.emit('terminal:restart', this.ref);
  }

  /**
   * Runs `command` (Enter included) in the shell; after the shell exited, starts a new one first
   * and types the command once it runs, so a lesson's Run works after `exit`.
   */
  run(command: string): void {
    if (this.disposed) return;
    if (!this.exitInfo) {
      this.input(`${command}\r`);
      return;
    }
    this.afterRestart = `${command}\r`;
    this.restart();
  }

  /** This screen's size changed (the server applies the smallest of all attached screens). */
  resize(size: { cols: number; rows: number }): void {
    this.size = { cols: size.cols, rows: size.rows };
    if (this.attached) this.socket.emit('terminal:resize', { ...this.ref, ...this.size });
  }

  /** Detaches and stops listening; the terminal keeps running for other viewers. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.attached && this.socket.connected) this.socket.emit('terminal:detach', this.ref);
    this.attached = false;
    if (this.ackTimer !== undefined) clearTimeout(this.ackTimer);
    for (const [event, handler] of Object.entries(this.handlers)) this.socket.off(event as keyof ServerToClientEvents, handler as never);
    this.socket.off('connect', this.onConnect);
    this.socket.off('disconnect', this.onDisconnect);
  }

  private attach(): void {
    if (this.disposed) return;
    this.socket.emit('terminal:attach', { ...this.ref, ...this.size, ...(this.everAttached && { fromSeq: this.nextSeq }) });
  }

  private handleAttached(m: TerminalAttachedMessage): void {
    if (m.gap) {
      // The screen cannot be continued: start over from what the server still has.
      // A full reset (RIS) goes through the write queue, after anything still being parsed.
      this.generation++;
      this.sink.write('\x1bc');
      if (this.everAttached) {
        const what = m.gap.kind === 'truncated' ? `skipped ${m.gap.skippedBytes} bytes of old output` : 'terminal restarted';
        this.sink.write(`\x1b[2m[kubelab: ${what}]\x1b[0m\r\n`);
      }
      this.rendered = m.startSeq;
    }
    this.nextSeq = m.startSeq;
    this.ackSent = m.startSeq;
    this.attached = true;
    this.everAttached = true;
    this.listeners.onAttached?.(m);
    if (m.exit) this.handleExit(m.exit);
    if (this.afterRestart && this.exitInfo) this.restart();
    if (this.queuedInput) {
      const queued = this.queuedInput;
      this.queuedInput = '';
      this.input(queued);
    }
  }

  private handleOutput(m: TerminalOutputMessage): void {
    if (!this.attached) return;
    let bytes = m.data instanceof Uint8Array ? m.data : new Uint8Array(m.data);
    const end = m.seq + bytes.byteLength;
    if (end <= this.nextSeq) return; // already have all of it
    if (m.seq < this.nextSeq) bytes = bytes.subarray(this.nextSeq - m.seq);
    this.nextSeq = end;
    const generation = this.generation;
    this.sink.write(bytes, () => generation === this.generation && this.handleRendered(end));
  }

  private handleRendered(end: number): void {
    this.rendered = Math.max(this.rendered, end);
    if (this.rendered - this.ackSent >= ACK_BATCH_BYTES) this.sendAck();
    else this.ackTimer ??= setTimeout(() => this.sendAck(), ACK_DELAY_MS);
  }

  private sendAck(): void {
    if (this.ackTimer !== undefined) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (!this.attached || this.rendered <= this.ackSent) return;
    this.ackSent = this.rendered;
    this.socket.emit('terminal:ack', { ...this.ref, seq: this.rendered });
  }

  private handleSize(m: TerminalSizeMessage): void {
    this.listeners.onSize?.({ cols: m.cols, rows: m.rows });
  }

  private handleExit(info: TerminalExitInfo): void {
    this.restartRequested = false;
    if (this.exitInfo) return;
    this.exitInfo = info.signal === undefined ? { exitCode: info.exitCode } : { exitCode: info.exitCode, signal: info.signal };
    this.listeners.onExit?.(this.exitInfo);
  }

  private handleRestarted(m: TerminalRestartedMessage): void {
    this.exitInfo = undefined;
    this.restartRequested = false;
    this.listeners.onRestart?.(m.seq);
    if (this.afterRestart) {
      const command = this.afterRestart;
      this.afterRestart = '';
      this.input(command);
    }
  }

  private handleError(m: TerminalErrorMessage): void {
    if (m.event === 'terminal:restart') {
      this.restartRequested = false;
      this.afterRestart = '';
    }
    if (m.code === 'TERMINAL_CLIENT_STALLED') {
      // Detached for falling behind: catch up on what is queued, then resume from our offset.
      this.attached = false;
      this.sink.write('', () => this.socket.connected && this.attach());
    }
    this.listeners.onError?.(m);
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

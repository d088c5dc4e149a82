// An attendee's terminal as the instructor sees it: the same bytes as the attendee's screen, at
// the attendee's size (the shadow never resizes their terminal), read-only until the attendee
// lets the instructor type. The server enforces read-only; the page only mirrors it.
import '@xterm/xterm/css/xterm.css';
import { Terminal } from '@xterm/xterm';
import { connectShadow } from '../../api/classroom.js';
import { TERMINAL_THEMES, TerminalStream, type TerminalClientSocket } from '../../terminal/index.js';

export class ShadowView {
  private readonly term: Terminal;
  private readonly socket: TerminalClientSocket;
  private readonly stream: TerminalStream;
  private writable = false;

  constructor(element: HTMLElement, socketToken: string, sessionId: string, terminalId: string, onProblem: (message: string) => void) {
    this.term = new Terminal({ fontSize: 13, fontFamily: '"JetBrains Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace', theme: TERMINAL_THEMES.dark, cursorBlink: false, scrollback: 3000, disableStdin: true });
    this.term.open(element);
    this.socket = connectShadow(socketToken);
    const follow = (size: { cols: number; rows: number }) => this.term.resize(Math.min(size.cols, 300), Math.min(size.rows, 100));
    this.stream = new TerminalStream(this.socket, { sessionId, terminalId }, this.term, { cols: this.term.cols, rows: this.term.rows }, {
      onAttached: (m) => follow(m),
      onSize: follow,
      onError: (e) => onProblem(e.message),
    });
    this.term.onData((data) => this.writable && this.stream.input(data));
  }

  /** Mirrors whether the attendee has allowed typing. */
  setWritable(writable: boolean): void {
    this.writable = writable;
    this.term.options.disableStdin = !writable;
    this.term.options.cursorBlink = writable;
    if (writable) this.term.focus();
  }

  dispose(): void {
    this.stream.dispose();
    this.socket.disconnect();
    this.term.dispose();
  }
}

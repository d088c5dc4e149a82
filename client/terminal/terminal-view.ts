// A terminal pane on a page: xterm.js with fit, clickable links and search, mounted into an
// element the page provides, fed by a TerminalStream over the page's socket. The page decides the
// layout; this class fills its element and follows the element's size.
import '@xterm/xterm/css/xterm.css';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal } from '@xterm/xterm';
import type { IDisposable } from '@xterm/xterm';
import { TerminalStream } from './terminal-stream.js';
import type { TerminalClientSocket, TerminalStreamListeners } from './terminal-stream.js';
import { TERMINAL_THEMES } from './themes.js';
import type { TerminalThemeName } from './themes.js';

/** What a page passes to show one terminal. */
export interface TerminalViewOptions {
  socket: TerminalClientSocket;
  sessionId: string;
  terminalId: string;
  theme?: TerminalThemeName;
  fontSize?: number;
  listeners?: TerminalStreamListeners;
}

/** Bounds of setFontSize, in CSS pixels: below 8 is unreadable, above 32 leaves too few columns. */
export const FONT_SIZE_RANGE = { min: 8, max: 32, initial: 14 } as const;

/** One terminal on a page; dispose() detaches it (the terminal keeps running on the server). */
export class TerminalView implements IDisposable {
  private readonly term: Terminal;
  private readonly fitAddon = new FitAddon();
  private readonly searchAddon = new SearchAddon();
  private readonly stream: TerminalStream;
  private readonly subscriptions: IDisposable[] = [];
  private readonly resizeObserver: ResizeObserver;
  private fitFrame: number | undefined;
  private disposed = false;

  constructor(
    private readonly element: HTMLElement,
    options: TerminalViewOptions,
  ) {
    this.term = new Terminal({
      fontSize: clampFontSize(options.fontSize ?? FONT_SIZE_RANGE.initial),
      fontFamily: '"JetBrains Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace',
      theme: TERMINAL_THEMES[options.theme ?? 'dark'],
      cursorBlink: true,
      scrollback: 5_000,
    });
    this.term.loadAddon(this.fitAddon);
    this.term.loadAddon(this.searchAddon);
    this.term.loadAddon(new WebLinksAddon((_event, uri) => window.open(uri, '_blank', 'noopener,noreferrer')));
    this.term.open(element);
    this.fit();
    this.stream = new TerminalStream(options.socket, { sessionId: options.sessionId, terminalId: options.terminalId }, this.term, { cols: this.term.cols, rows: this.term.rows }, options.listeners);
    this.subscriptions.push(
      this.term.onData((data) => this.stream.input(data)),
      this.term.onResize((size) => this.stream.resize(size)),
    );
    this.resizeObserver = new ResizeObserver(() => this.scheduleFit());
    this.resizeObserver.observe(element);
  }

  /**
   * Types `text` into the terminal as a paste (bracketed if the shell asked for it), for a
   * lesson's Run and Copy buttons; with `execute` it also presses Enter.
   */
  paste(text: string, options: { execute?: boolean } = {}): void {
    const body = options.execute ? text.replace(/\n+$/, '') : text;
    if (options.execute && this.stream.exit) this.stream.run(body); // no shell to paste into: start one
    else {
      this.term.paste(body);
      if (options.execute) this.stream.input('\r');
    }
    this.term.focus();
  }

  /** Starts a new shell if the last one exited (as Enter would); otherwise nothing. */
  restart(): void {
    this.stream.restart();
  }

    /** Sets the font size (clamped to FONT_SIZE_RANGE) and refits; returns the size applied. */
  setFontSize(px: number): number {
    const size = clampFontSize(px);
    this.term.options.fontSize = size;
    this.fit();
    return size;
  }

  get fontSize(): number {
    return this.term.options.fontSize ?? FONT_SIZE_RANGE.initial;
  }

  setTheme(name: TerminalThemeName): void {
    this.term.options.theme = TERMINAL_THEMES[name];
  }

  /** Highlights the next match of `query` below the current one; false when there is none. */
  findNext(query: string): boolean {
    return this.searchAddon.findNext(query);
  }

  /** Highlights the previous match of `query`; false when there is none. */
  findPrevious(query: string): boolean {
    return this.searchAddon.findPrevious(query);
  }

  clearSearch(): void {
    this.searchAddon.clearDecorations();
  }

  focus(): void {
    this.term.focus();
  }

  /** Offset of the last output byte received (for diagnostics and tests in a browser). */
  get seq(): number {
    return this.stream.seq;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.resizeObserver.disconnect();
    if (this.fitFrame !== undefined) cancelAnimationFrame(this.fitFrame);
    for (const s of this.subscriptions) s.dispose();
    this.stream.dispose();
    this.term.dispose();
    this.element.replaceChildren();
  }

  // Fits on the next frame, once per frame however many resize notifications arrive.
  private scheduleFit(): void {
    if (this.fitFrame !== undefined || this.disposed) return;
    this.fitFrame = requestAnimationFrame(() => {
      this.fitFrame = undefined;
      this.fit();
    });
  }

  private fit(): void {
    // A hidden element (an inactive tab) measures 0×0; keep the last size until it is shown.
    if (this.disposed || this.element.clientWidth === 0 || this.element.clientHeight === 0) return;
    this.fitAddon.fit();
  }
}

function clampFontSize(px: number): number {
  return Math.min(FONT_SIZE_RANGE.max, Math.max(FONT_SIZE_RANGE.min, Math.round(px)));
}

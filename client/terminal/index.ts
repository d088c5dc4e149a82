// The browser terminal: pages import from here only.
export { ACK_BATCH_BYTES, ACK_DELAY_MS, TerminalStream } from './terminal-stream.js';
export type { TerminalClientSocket, TerminalSink, TerminalStreamListeners } from './terminal-stream.js';
export { FONT_SIZE_RANGE, TerminalView } from './terminal-view.js';
export type { TerminalViewOptions } from './terminal-view.js';
export { TERMINAL_THEMES } from './themes.js';
export type { TerminalThemeName } from './themes.js';

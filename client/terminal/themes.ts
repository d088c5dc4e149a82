// The two looks of the terminal pane, matched to the page's light and dark modes. Colours are
// chosen for contrast of the 16 ANSI colours on each background (kubectl, ls and git use them).
import type { ITheme } from '@xterm/xterm';

/** Names the page can pass to TerminalView.setTheme. */
export type TerminalThemeName = 'light' | 'dark';

/** xterm.js themes by name. */
export const TERMINAL_THEMES: Record<TerminalThemeName, ITheme> = {
  dark: {
    background: '#16181d',
    foreground: '#d8dbe2',
    cursor: '#f2c14e',
    cursorAccent: '#16181d',
    selectionBackground: '#3a4254',
    black: '#1f232b',
    red: '#e06c6c',
    green: '#8cc47a',
    yellow: '#e5c07b',
    blue: '#6fa8f0',
    magenta: '#c58fe0',
    cyan: '#5fc4c9',
    white: '#d8dbe2',
    brightBlack: '#5c6370',
    brightRed: '#ff8787',
    brightGreen: '#a8e08f',
    brightYellow: '#ffd98a',
    brightBlue: '#92c0ff',
    brightMagenta: '#dcaaf5',
    brightCyan: '#84e1e5',
    brightWhite: '#ffffff',
  },
  light: {
    background: '#fbfbf8',
    foreground: '#2b2f36',
    cursor: '#c7511f',
    cursorAccent: '#fbfbf8',
    selectionBackground: '#cfdcf2',
    black: '#2b2f36',
    red: '#b3261e',
    green: '#2f7d32',
    yellow: '#8a6100',
    blue: '#1d5fbf',
    magenta: '#8a3fa8',
    cyan: '#0b7a80',
    white: '#c9cbcf',
    brightBlack: '#6b707a',
    brightRed: '#d9382f',
    brightGreen: '#3c9a40',
    brightYellow: '#a87700',
    brightBlue: '#2f76db',
    brightMagenta: '#a552c4',
    brightCyan: '#12939a',
    brightWhite: '#eceef1',
  },
};

// Up to four terminals per session, as tabs over one shared terminal socket. Tab 1 opens with the
// session; "+" opens the next; Run buttons that name a terminal open it if needed.
import type { TerminalClientSocket } from '../../terminal/index.js';
import { TerminalView } from '../../terminal/index.js';
import { el } from '../../dom.js';
import { fontSize, theme } from '../../preferences.js';

/** Terminal ids the server accepts ("1" to "4"). */
const MAX_TERMINALS = 4;

/** The tab strip and terminal panes of one session. */
export class TerminalTabs {
  readonly element: HTMLElement;
  private readonly strip = el('div', { class: 'terminal-tabs', role: 'tablist', 'aria-label': 'Terminals' });
  private readonly panes = el('div', { class: 'terminal-panes' });
  private readonly addButton = el('button', { type: 'button', class: 'icon-button terminal-add', 'aria-label': 'Open another terminal', title: 'Open another terminal' }, '+');
  private readonly views = new Map<number, { view: TerminalView; tab: HTMLButtonElement; pane: HTMLElement }>();
  private active = 0;

  constructor(
    private readonly socket: TerminalClientSocket,
    private readonly sessionId: string,
  ) {
    this.addButton.addEventListener('click', () => this.open(this.nextFree()));
    this.strip.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
      const ids = [...this.views.keys()].sort();
      const i = ids.indexOf(this.active) + (event.key === 'ArrowRight' ? 1 : -1);
      const id = ids[(i + ids.length) % ids.length];
      if (id !== undefined) this.select(id, true);
    });
    this.element = el('div', { class: 'terminals' }, el('div', { class: 'terminal-bar' }, this.strip, this.addButton), this.panes);
    this.open(1);
  }

  /** Opens terminal `id` if needed and shows it. */
  open(id: number): TerminalView | undefined {
    if (id < 1 || id > MAX_TERMINALS) return undefined;
    let entry = this.views.get(id);
    if (!entry) {
      const pane = el('div', { class: 'terminal-pane', role: 'tabpanel', id: `terminal-${id}`, 'aria-label': `Terminal ${id}` });
      const tab = el('button', { type: 'button', role: 'tab', class: 'terminal-tab', 'aria-controls': `terminal-${id}`, onclick: () => this.select(id, true) }, `Terminal ${id}`);
      this.panes.append(pane);
      this.strip.append(tab);
      const view = new TerminalView(pane, { socket: this.socket, sessionId: this.sessionId, terminalId: String(id), theme: theme(), fontSize: fontSize() });
      entry = { view, tab, pane };
      this.views.set(id, entry);
      this.addButton.hidden = this.views.size >= MAX_TERMINALS;
    }
    this.select(id, false);
    return entry.view;
  }

  /** The terminal a Run button of `terminal` types into. */
  terminal(id: number): TerminalView | undefined {
    return this.open(id);
  }

  /** Starts a new shell in every tab whose shell exited (after the cluster was replaced). */
  restartExited(): void {
    for (const { view } of this.views.values()) view.restart();
  }

    /** Follows theme and font size preferences. */
  refreshPreferences(): void {
    for (const { view } of this.views.values()) {
      view.setTheme(theme());
      view.setFontSize(fontSize());
    }
  }

  dispose(): void {
    for (const { view } of this.views.values()) view.dispose();
    this.views.clear();
    this.socket.disconnect();
  }

  private select(id: number, focus: boolean): void {
    this.active = id;
    for (const [other, { tab, pane }] of this.views) {
      tab.setAttribute('aria-selected', String(other === id));
      tab.tabIndex = other === id ? 0 : -1;
      pane.hidden = other !== id;
    }
    if (focus) this.views.get(id)?.view.focus();
  }

  private nextFree(): number {
    for (let id = 1; id <= MAX_TERMINALS; id++) if (!this.views.has(id)) return id;
    return MAX_TERMINALS;
  }
}

// What the terminal area shows while a session is prepared: the start phases in order, the current
// one marked, with the server's own message, so a two-minute cluster start never looks stuck.
import type { LabProgress, StartPhase } from '../../../protocol/lab.js';
import { ICONS, el, icon } from '../../dom.js';

const PHASES: { phase: StartPhase; label: string }[] = [
  { phase: 'queued', label: 'Waiting for a free slot' },
  { phase: 'cluster', label: 'Creating your cluster' },
  { phase: 'images', label: 'Loading images' },
  { phase: 'toolbox', label: 'Starting your toolbox' },
  { phase: 'setup', label: 'Applying the lab setup' },
  { phase: 'ready', label: 'Ready' },
];

/** The progress panel; update() marks phases done up to the one reported. */
export class StartProgress {
  readonly element: HTMLElement;
  private readonly items = new Map<StartPhase, HTMLElement>();
  private readonly detail = el('p', { class: 'muted start-detail', role: 'status', 'aria-live': 'polite' }, 'Connecting…');
  private readonly title = el('h2', {}, 'Preparing your lab');

  constructor() {
    const list = el('ol', { class: 'start-phases' });
    for (const { phase, label } of PHASES) {
      const item = el('li', { 'data-phase': phase }, el('span', { class: 'phase-mark' }), label);
      this.items.set(phase, item);
      list.append(item);
    }
    this.element = el('div', { class: 'start-progress' }, this.title, list, this.detail);
  }

  update(progress: LabProgress): void {
    const at = PHASES.findIndex((p) => p.phase === progress.phase);
    PHASES.forEach(({ phase }, i) => {
      const item = this.items.get(phase);
      if (!item) return;
      item.className = i < at || progress.phase === 'ready' ? 'done' : i === at ? 'current' : '';
      item.querySelector('.phase-mark')?.replaceChildren(i < at || progress.phase === 'ready' ? icon(ICONS.check, 'icon icon-small') : '');
    });
    this.detail.textContent = progress.message;
  }

  fail(message: string, retry: () => void): void {
    this.title.textContent = 'The lab could not start';
    this.detail.className = 'notice notice-error';
    this.detail.textContent = message;
    this.element.append(el('button', { type: 'button', class: 'button', onclick: retry }, 'Try again'));
  }
}

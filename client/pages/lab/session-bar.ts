// The lab's part of the app bar: title, cluster state, the session clock with Extend, and the
// actions that throw work away (reset, jump), each behind a confirmation.
import type { ClusterStatus, SessionTimer } from '../../../protocol/lab.js';
import type { LabDetail } from '../../api/types.js';
import { ICONS, el, icon } from '../../dom.js';

/** What the bar asks the page to do. */
export interface SessionBarActions {
  extend(): void;
  reset(): void;
  jump(step: number): void;
}

/** Minutes and seconds left, as "12:05"; hours when long. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** The bar; the page feeds it timer and cluster events. */
export class SessionBar {
  readonly element: HTMLElement;
  private readonly cluster = el('span', { class: 'cluster-status', 'data-state': 'starting', role: 'status' }, 'Cluster starting');
  private readonly clock = el('span', { class: 'session-clock', title: 'Time left in this session' }, icon(ICONS.clock, 'icon icon-small'), el('span', { class: 'clock-value' }, '—'));
  private readonly extendButton = el('button', { type: 'button', class: 'button button-small', title: 'Add time to this session' }, 'Extend');
  private readonly jumpSelect: HTMLSelectElement;
  private readonly resetButton: HTMLButtonElement;
  private expiresAt: number | undefined;
  private readonly ticker: ReturnType<typeof setInterval>;

  constructor(lab: LabDetail, actions: SessionBarActions) {
    this.extendButton.addEventListener('click', () => actions.extend());
    this.jumpSelect = el(
      'select',
      { 'aria-label': 'Jump to step', class: 'jump-select' },
      el('option', { value: '' }, 'Jump to step…'),
      ...lab.steps.map((s) => el('option', { value: s.number }, `${s.number}. ${s.title}`)),
    );
    this.jumpSelect.addEventListener('change', () => {
      const step = Number(this.jumpSelect.value);
      this.jumpSelect.value = '';
      if (step && window.confirm(`Jump to step ${step}? The cluster is set up for that step; what you did in earlier steps may be replaced.`)) actions.jump(step);
    });
    const reset = el('button', { type: 'button', class: 'button button-small button-quiet' }, 'Reset lab');
    this.resetButton = reset;
    reset.addEventListener('click', () => {
      if (window.confirm('Reset this lab? Your cluster is rebuilt as it was at the start of step 1; what you created in it is gone, and the steps you passed stay passed.')) actions.reset();
    });
    this.element = el(
      'div',
      { class: 'session-bar' },
      el('span', { class: 'lab-title' }, lab.title),
      this.cluster,
      this.clock,
      this.extendButton,
      this.jumpSelect,
      reset,
    );
    this.ticker = setInterval(() => this.tick(), 1000);
  }

  /** Extend, jump and reset act on a session; without one they are disabled. */
  setSessionReady(ready: boolean): void {
    for (const control of [this.extendButton, this.jumpSelect, this.resetButton]) control.disabled = !ready;
  }

  setTimer(timer: SessionTimer): void {
    this.expiresAt = timer.expiresAt;
    this.extendButton.classList.toggle('button-primary', timer.warning);
    this.clock.classList.toggle('warning', timer.warning);
    this.tick();
  }

  setExpiresAt(expiresAt: number): void {
    this.expiresAt = expiresAt;
    this.extendButton.classList.remove('button-primary');
    this.clock.classList.remove('warning');
    this.tick();
  }

  setCluster(status: Pick<ClusterStatus, 'state' | 'message'>): void {
    this.cluster.dataset['state'] = status.state;
    const label = { starting: 'Cluster starting', ready: 'Cluster ready', busy: 'Cluster busy', lost: 'Cluster lost' }[status.state];
    this.cluster.textContent = label;
    this.cluster.title = status.message;
  }

  dispose(): void {
    clearInterval(this.ticker);
  }

  private tick(): void {
    const value = this.clock.querySelector('.clock-value');
    if (value) value.textContent = this.expiresAt === undefined ? '—' : formatRemaining(this.expiresAt - Date.now());
  }
}

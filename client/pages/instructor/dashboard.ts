// The live dashboard of one classroom: the join code and QR, the roster × steps heatmap with time
// on the current step and stuck seats highlighted, the raised-hand queue, and the actions on
// the room (message, hold at a step, extend, reset, end) and on one seat (watch its terminal, ask
// to take over, timeline). Everything arrives as snapshots over the classroom socket: no polling.
import '../../styles/classroom.css';
import type { DashboardSnapshot, SeatView } from '../../../protocol/classroom.js';
import { type ClassroomSocket, connectClassroom, duration, formatCode, instructorApi } from '../../api/classroom.js';
import { ApiError } from '../../api/http.js';
import { el } from '../../dom.js';
import { setAppBarSlot } from '../app-bar.js';
import { showLogin } from './home.js';
import { SeatPanel } from './seat-panel.js';

const messageOf = (error: unknown) => (error instanceof ApiError ? error.message : 'something went wrong; try again');
const CLUSTER_LABEL: Record<SeatView['cluster'], string> = { none: 'no cluster', starting: 'starting', ready: 'cluster ready', busy: 'cluster busy', lost: 'cluster lost' };
const CELL_LABEL = { 'not-started': 'not started', 'in-progress': 'in progress', passed: 'passed', failing: 'failing checks' } as const;

export function showDashboard(main: HTMLElement, id: string): { dispose(): void } {
  const page = el('div', { class: 'dashboard' });
  main.append(page);
  let socket: ClassroomSocket | undefined;
  let tick: ReturnType<typeof setInterval> | undefined;
  let panel: SeatPanel | undefined;
  void instructorApi.me().then(
    ({ signedIn, socketToken }) => {
      if (!signedIn || !socketToken) return showLogin(page);
      socket = connectClassroom({ instructor: socketToken });
      const view = new DashboardView(page, id, socketToken, (p) => (panel = p));
      socket.on('connect', () => socket?.emit('dashboard:watch', { classroomId: id }));
      socket.on('dashboard:snapshot', (s) => view.render(s));
      socket.on('connect_error', (error) => view.offline(error.message));
      tick = setInterval(() => view.refreshClocks(), 15_000);
    },
    (error: unknown) => page.append(el('p', { class: 'notice notice-error' }, messageOf(error))),
  );
  return {
    dispose() {
      socket?.disconnect();
      if (tick) clearInterval(tick);
      panel?.dispose();
      setAppBarSlot();
    },
  };
}

class DashboardView {
  private snapshot: DashboardSnapshot | undefined;
  private readonly selected = new Set<string>();
  private readonly header = el('header', { class: 'dash-header' });
  private readonly notice = el('p', { class: 'dash-notice', role: 'status', hidden: true });
  private readonly table = el('table', { class: 'heatmap' });
  private readonly side = el('aside', { class: 'dash-side', 'aria-label': 'Raised hands and stuck attendees' });
  private readonly actions = el('div', { class: 'dash-actions' });
  private readonly status = el('p', { class: 'form-status', role: 'status' });
  private panel: SeatPanel | undefined;
  private actionsFor = '';

  constructor(
    page: HTMLElement,
    private readonly id: string,
    private readonly socketToken: string,
    private readonly onPanel: (panel: SeatPanel | undefined) => void,
  ) {
    page.append(this.header, this.notice, el('div', { class: 'dash-toolbar' }, this.actions, this.status), el('div', { class: 'dash-body' }, el('div', { class: 'heatmap-scroll' }, this.table), this.side));
  }

  offline(message: string): void {
    this.notice.hidden = false;
    this.notice.textContent = `Reconnecting to the server… (${message})`;
  }

  render(s: DashboardSnapshot): void {
    this.snapshot = s;
    this.notice.hidden = true;
    document.title = `${s.classroom.name} · kubelab`;
    setAppBarSlot(el('span', { class: 'lab-title' }, s.classroom.name), s.classroom.endedAt ? el('span', { class: 'badge' }, 'ended') : '');
    for (const v of [...this.selected]) if (!s.seats.some((seat) => seat.visitorId === v)) this.selected.delete(v);
    this.renderHeader(s);
    const key = `${s.classroom.endedAt}|${s.classroom.pace?.lab}:${s.classroom.pace?.step}`;
    if (key !== this.actionsFor) {
      this.actionsFor = key;
      this.renderActions(s);
    }
    this.renderTable(s);
    this.renderSide(s);
    this.panel?.update(s);
  }

  refreshClocks(): void {
    if (this.snapshot) this.renderTable({ ...this.snapshot, now: this.snapshot.now + (Date.now() - this.snapshot.now) });
  }

  private renderHeader(s: DashboardSnapshot): void {
    const joinUrl = `${location.origin}${s.classroom.joinPath}`;
    const running = s.seats.filter((seat) => seat.sessionId).length;
    const stuck = s.seats.filter((seat) => seat.stuck).length;
    this.header.replaceChildren(
      el('div', { class: 'join-box' },
        el('img', { class: 'join-qr', src: instructorApi.qrUrl(this.id), alt: `QR code for ${joinUrl}`, width: 96, height: 96 }),
        el('div', {},
          el('p', { class: 'join-label' }, 'Join at'),
          el('p', { class: 'join-url' }, joinUrl.replace(/^https?:\/\//, '')),
          el('p', { class: 'join-code', 'aria-label': `join code ${s.classroom.code.split('').join(' ')}` }, formatCode(s.classroom.code)),
        ),
      ),
      el('dl', { class: 'dash-stats' },
        stat('Joined', `${s.seats.length} / ${s.classroom.seats}`),
        stat('Clusters running', String(running)),
        stat('Warm clusters', s.pool ? `${s.pool.ready} ready${s.pool.creating ? `, ${s.pool.creating} starting` : ''}` : '—'),
        stat('Hands up', String(s.hands.length), s.hands.length ? 'stat-alert' : ''),
        stat('Stuck', String(stuck), stuck ? 'stat-warn' : ''),
      ),
      s.capacityWarning ? el('p', { class: 'notice capacity-over' }, `Capacity: ${s.capacityWarning}`) : '',
      s.pool?.lastError ? el('p', { class: 'notice notice-error' }, `Pre-warm failed: ${s.pool.lastError}`) : '',
    );
  }

  private targets(): string[] | undefined {
    return this.selected.size ? [...this.selected] : undefined;
  }

  private run(what: Promise<unknown>, done: (result: never) => string): void {
    this.status.textContent = 'Working…';
    what.then((r) => (this.status.textContent = done(r as never)), (error: unknown) => (this.status.textContent = messageOf(error)));
  }

  private renderActions(s: DashboardSnapshot): void {
    const ended = s.classroom.endedAt !== null;
    const text = el('input', { type: 'text', id: 'broadcast-text', placeholder: 'Message to attendees (all, or the selected ones)', maxlength: 500, disabled: ended });
    const who = () => (this.selected.size ? `${this.selected.size} selected` : 'everyone');
    const paceSelect = el('select', { id: 'pace-select', 'aria-label': 'Hold the class at a step', disabled: ended },
      el('option', { value: '' }, 'Everyone moves freely'),
      ...s.classroom.labs.flatMap((lab) => lab.steps.map((step) => el('option', { value: `${lab.slug}#${step.number}`, selected: s.classroom.pace?.lab === lab.slug && s.classroom.pace.step === step.number }, `Hold at ${s.classroom.labs.length > 1 ? `${lab.title} ` : ''}step ${step.number}: ${step.title}`))),
    );
    paceSelect.addEventListener('change', () => {
      const [lab, step] = paceSelect.value.split('#');
      this.run(instructorApi.pace(this.id, lab && step ? { lab, step: Number(step) } : null), () => (lab ? `The class is held at step ${step}.` : 'The class moves freely again.'));
    });
    this.actions.replaceChildren(
      el('form', {
        class: 'broadcast',
        onsubmit: (event: Event) => {
          event.preventDefault();
          if (!text.value.trim()) return;
          this.run(instructorApi.message(this.id, text.value, this.targets()), (r: { sent: number }) => `Message sent to ${r.sent} attendee${r.sent === 1 ? '' : 's'}.`);
          text.value = '';
        },
      }, text, el('button', { type: 'submit', class: 'button button-primary', disabled: ended }, 'Send')),
      paceSelect,
      el('button', { type: 'button', class: 'button', disabled: ended, onclick: () => this.run(instructorApi.extend(this.id, 15, this.targets()), (r: { extended: number }) => `${r.extended} session(s) got 15 more minutes.`) }, 'Extend +15 min'),
      el('button', {
        type: 'button', class: 'button', disabled: ended,
        onclick: () => {
          if (confirm(`Reset the labs of ${who()} to their first step? Their clusters are rebuilt; progress is kept.`)) this.run(instructorApi.reset(this.id, this.targets()), (r: { reset: number; failed: unknown[] }) => `${r.reset} lab(s) reset${r.failed.length ? `, ${r.failed.length} failed` : ''}.`);
        },
      }, 'Reset'),
      el('span', { class: 'spacer' }),
      el('a', { class: 'button button-quiet button-small', href: `#/instructor/classrooms/${this.id}/cards` }, 'Join cards'),
      el('a', { class: 'button button-quiet button-small', href: `#/instructor/classrooms/${this.id}/summary` }, 'Summary'),
      el('a', { class: 'button button-quiet button-small', href: instructorApi.exportUrl(this.id, 'csv'), download: '' }, 'Export CSV'),
      el('a', { class: 'button button-quiet button-small', href: instructorApi.exportUrl(this.id, 'json'), download: '' }, 'JSON'),
      el('button', {
        type: 'button', class: 'button button-danger', disabled: ended,
        onclick: () => {
          if (confirm('End the classroom? Every attendee’s cluster is deleted and nobody can join any more.')) this.run(instructorApi.end(this.id), (r: { ended: number }) => `Classroom ended; ${r.ended} cluster(s) deleted.`);
        },
      }, 'End classroom'),
    );
  }

  private renderTable(s: DashboardSnapshot): void {
    const labs = s.classroom.labs;
    const allBox = el('input', { type: 'checkbox', 'aria-label': 'Select every attendee', checked: s.seats.length > 0 && this.selected.size === s.seats.length });
    allBox.addEventListener('change', () => {
      this.selected.clear();
      if (allBox.checked) for (const seat of s.seats) this.selected.add(seat.visitorId);
      this.renderTable(s);
    });
    const labRow = el('tr', { class: 'lab-row' }, el('th', { colspan: 3 }, ''), ...labs.map((lab) => el('th', { colspan: lab.steps.length || 1, scope: 'colgroup' }, lab.title)));
    const stepRow = el('tr', {},
      el('th', { class: 'select-col' }, allBox),
      el('th', { scope: 'col', class: 'name-col' }, 'Attendee'),
      el('th', { scope: 'col', class: 'where-col' }, 'Now'),
      ...s.steps.map((step) => el('th', { scope: 'col', class: 'step-col', title: `${step.title}: ${step.here} here, ${step.passed} passed` }, el('span', { class: 'step-no' }, String(step.step)), el('span', { class: 'step-count' }, `${step.passed} ✓`), el('span', { class: 'step-here' }, step.here ? `${step.here} here` : '\u00a0'))),
    );
    const rows = s.seats.map((seat) => {
      const box = el('input', { type: 'checkbox', 'aria-label': `Select ${seat.displayName}`, checked: this.selected.has(seat.visitorId) });
      box.addEventListener('change', () => (box.checked ? this.selected.add(seat.visitorId) : this.selected.delete(seat.visitorId)));
      const where = seat.current ? `Step ${seat.current.step} · ${duration(s.now - seat.current.since)}` : 'not started';
      return el('tr', { class: `seat-row${seat.stuck ? ' stuck' : ''}${seat.hand ? ' hand' : ''}${seat.online ? '' : ' offline'}`, 'data-visitor': seat.visitorId },
        el('td', { class: 'select-col' }, box),
        el('th', { scope: 'row', class: 'name-col' },
          el('button', { type: 'button', class: 'seat-name', onclick: () => this.openPanel(seat.visitorId) },
            el('span', { class: 'cluster-dot', 'data-cluster': seat.cluster, title: CLUSTER_LABEL[seat.cluster], role: 'img', 'aria-label': CLUSTER_LABEL[seat.cluster] }),
            seat.displayName,
            seat.hand ? el('span', { class: 'hand-mark' }, 'hand up') : '',
          ),
        ),
        el('td', { class: 'where-col' }, el('span', {}, where), seat.stuck ? el('span', { class: 'stuck-reason' }, seat.stuck.reason) : ''),
        ...seat.cells.map((state, i) => el('td', { class: `cell cell-${state}${seat.current && s.steps[i]?.lab === seat.current.lab && s.steps[i]?.step === seat.current.step ? ' current' : ''}`, 'data-state': state, title: `${seat.displayName}, step ${s.steps[i]?.step}: ${CELL_LABEL[state]}` })),
      );
    });
    this.table.replaceChildren(
      el('caption', { class: 'sr-only' }, 'Progress of every attendee on every step'),
      el('thead', {}, labs.length > 1 ? labRow : '', stepRow),
      el('tbody', {}, ...(rows.length ? rows : [el('tr', {}, el('td', { colspan: s.steps.length + 3, class: 'empty' }, 'Nobody has joined yet. Show the join code or hand out the cards.'))])),
    );
  }

  private renderSide(s: DashboardSnapshot): void {
    const stuck = s.seats.filter((seat) => seat.stuck);
    this.side.replaceChildren(
      el('section', { class: 'side-section' },
        el('h2', {}, `Raised hands (${s.hands.length})`),
        s.hands.length
          ? el('ol', { class: 'hand-queue' }, ...s.hands.map((h) =>
              el('li', { 'data-visitor': h.visitorId },
                el('button', { type: 'button', class: 'link-button', onclick: () => this.openPanel(h.visitorId) }, h.displayName),
                el('span', { class: 'muted' }, ` ${duration(s.now - h.raisedAt)}`),
                h.note ? el('p', { class: 'hand-note' }, h.note) : '',
                el('button', { type: 'button', class: 'button button-small', onclick: () => this.run(instructorApi.resolveHand(this.id, h.id), () => `${h.displayName}’s hand is down.`) }, 'Resolve'),
              )))
          : el('p', { class: 'muted' }, 'No hands up.'),
      ),
      el('section', { class: 'side-section' },
        el('h2', {}, `Stuck (${stuck.length})`),
        stuck.length
          ? el('ul', { class: 'stuck-list' }, ...stuck.map((seat) => el('li', {}, el('button', { type: 'button', class: 'link-button', onclick: () => this.openPanel(seat.visitorId) }, seat.displayName), el('span', { class: 'muted' }, ` ${seat.stuck?.reason}`))))
          : el('p', { class: 'muted' }, 'Nobody is stuck.'),
      ),
      el('section', { class: 'side-section legend', 'aria-label': 'Legend' },
        ...(['not-started', 'in-progress', 'failing', 'passed'] as const).map((state) => el('span', { class: 'legend-item' }, el('span', { class: `cell-swatch cell-${state}` }), CELL_LABEL[state])),
      ),
    );
  }

  private openPanel(visitorId: string): void {
    this.panel?.dispose();
    if (!this.snapshot) return;
    this.panel = new SeatPanel(this.id, visitorId, this.socketToken, () => {
      this.panel = undefined;
      this.onPanel(undefined);
    });
    this.onPanel(this.panel);
    this.panel.update(this.snapshot);
  }
}

function stat(label: string, value: string, className = ''): HTMLElement {
  return el('div', { class: `stat ${className}` }, el('dt', {}, label), el('dd', {}, value));
}

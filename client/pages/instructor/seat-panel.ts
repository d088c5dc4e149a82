// One attendee, opened from the dashboard: where they are, their terminal (watched read-only, or
// typed in once they allow it), a direct message, reset and extend, and the timeline of their
// commands and Check results that shows what came before a failing check.
import type { DashboardSnapshot, SeatView } from '../../../protocol/classroom.js';
import { type TimelineEntry, duration, instructorApi } from '../../api/classroom.js';
import { ApiError } from '../../api/http.js';
import { el } from '../../dom.js';
import { ShadowView } from './shadow-view.js';

const messageOf = (error: unknown) => (error instanceof ApiError ? error.message : 'something went wrong; try again');
const time = (at: number) => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

export class SeatPanel {
  private readonly element: HTMLElement;
  private readonly facts = el('div', { class: 'seat-facts' });
  private readonly takeoverButton = el('button', { type: 'button', class: 'button' });
  private readonly terminalBox = el('div', { class: 'shadow-terminal' });
  private readonly terminalNote = el('p', { class: 'muted shadow-note', role: 'status' });
  private readonly timeline = el('ol', { class: 'timeline' });
  private readonly status = el('p', { class: 'form-status', role: 'status' });
  private shadow: ShadowView | undefined;
  private shadowSession: string | null = null;
  private seat: SeatView | undefined;

  constructor(
    private readonly classroomId: string,
    private readonly visitorId: string,
    private readonly socketToken: string,
    private readonly onClose: () => void,
  ) {
    const text = el('input', { type: 'text', placeholder: 'Message to this attendee', maxlength: 500, 'aria-label': 'Direct message' });
    this.takeoverButton.addEventListener('click', () => this.toggleTakeover());
    this.element = el('section', { class: 'seat-panel', role: 'dialog', 'aria-label': 'Attendee' },
      el('div', { class: 'seat-panel-head' }, this.facts, el('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close', onclick: () => this.dispose() }, '✕')),
      el('div', { class: 'seat-panel-actions' },
        el('form', { class: 'broadcast', onsubmit: (e: Event) => {
          e.preventDefault();
          if (text.value.trim()) this.run(instructorApi.message(classroomId, text.value, [visitorId]), 'Message sent.');
          text.value = '';
        } }, text, el('button', { type: 'submit', class: 'button' }, 'Send')),
        this.takeoverButton,
        el('button', { type: 'button', class: 'button', onclick: () => this.run(instructorApi.extend(classroomId, 15, [visitorId]), 'Session extended by 15 minutes.') }, 'Extend +15'),
        el('button', { type: 'button', class: 'button', onclick: () => confirm('Reset this attendee’s lab to its first step?') && this.run(instructorApi.reset(classroomId, [visitorId]), 'Lab reset.') }, 'Reset'),
        el('button', { type: 'button', class: 'button button-quiet', onclick: () => void this.loadTimeline() }, 'Refresh timeline'),
      ),
      this.status,
      el('div', { class: 'seat-panel-body' },
        el('div', { class: 'shadow-column' }, this.terminalNote, this.terminalBox),
        el('div', { class: 'timeline-column' }, el('h3', {}, 'Timeline'), this.timeline),
      ),
    );
    document.body.append(this.element);
    void this.loadTimeline();
  }

  private run(what: Promise<unknown>, done: string): void {
    what.then(() => (this.status.textContent = done), (error: unknown) => (this.status.textContent = messageOf(error)));
  }

  update(s: DashboardSnapshot): void {
    const seat = s.seats.find((x) => x.visitorId === this.visitorId);
    if (!seat) return this.dispose();
    this.seat = seat;
    this.facts.replaceChildren(
      el('h2', {}, seat.displayName, el('span', { class: 'muted' }, ` · seat ${seat.seat}`)),
      el('p', { class: 'muted' }, seat.current ? `Step ${seat.current.step} for ${duration(s.now - seat.current.since)}` : 'Not started', seat.stuck ? el('span', { class: 'stuck-reason' }, ` · ${seat.stuck.reason}`) : ''),
    );
    this.takeoverButton.textContent = seat.takeover === 'granted' ? 'Hand the terminal back' : seat.takeover === 'asked' ? 'Waiting for consent…' : 'Ask to take over';
    this.takeoverButton.disabled = seat.takeover === 'asked' || !seat.sessionId;
    if (seat.sessionId !== this.shadowSession) {
      this.shadow?.dispose();
      this.shadow = undefined;
      this.terminalBox.replaceChildren();
      this.shadowSession = seat.sessionId;
      if (seat.sessionId) this.shadow = new ShadowView(this.terminalBox, this.socketToken, seat.sessionId, '1', (m) => (this.terminalNote.textContent = m));
    }
    this.shadow?.setWritable(seat.takeover === 'granted');
    this.terminalNote.textContent = !seat.sessionId ? 'No running lab: nothing to watch.' : seat.takeover === 'granted' ? `You are typing in ${seat.displayName}’s terminal.` : 'Watching terminal 1, read-only.';
    this.terminalNote.className = `shadow-note${seat.takeover === 'granted' ? ' typing' : ' muted'}`;
  }

  private toggleTakeover(): void {
    if (this.seat?.takeover === 'granted') this.run(instructorApi.release(this.classroomId, this.visitorId), 'Terminal handed back.');
    else this.run(instructorApi.takeover(this.classroomId, this.visitorId), 'Asked; the attendee sees a prompt.');
  }

  private async loadTimeline(): Promise<void> {
    try {
      const { entries, commands } = await instructorApi.timeline(this.classroomId, this.visitorId);
      const line = (e: TimelineEntry) => {
        if (e.kind === 'command') return el('li', { class: 'tl-command' }, el('time', {}, time(e.at)), el('code', {}, e.command));
        if (e.kind === 'step') return el('li', { class: 'tl-step' }, el('time', {}, time(e.at)), `opened step ${e.step}`);
        return el('li', { class: `tl-check ${e.passed ? 'pass' : 'fail'}` }, el('time', {}, time(e.at)), e.passed ? `Check passed (step ${e.step})` : `Check failed (step ${e.step}): ${e.failed.join('; ')}`);
      };
      this.timeline.replaceChildren(...entries.slice(-200).map(line));
      if (commands !== 'read') this.timeline.append(el('li', { class: 'muted' }, commands === 'no-session' ? 'Commands appear while the attendee has a running lab.' : commands));
      this.timeline.lastElementChild?.scrollIntoView({ block: 'nearest' });
    } catch (error) {
      this.timeline.replaceChildren(el('li', { class: 'notice notice-error' }, messageOf(error)));
    }
  }

  dispose(): void {
    this.shadow?.dispose();
    this.shadow = undefined;
    this.element.remove();
    this.onClose();
  }
}

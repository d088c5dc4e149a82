// A scenario's scoreboard above the task text: "Score N / total points", one chip per task (any
// order: a chip opens its task), and for a timed scenario the countdown to the server's deadline.
// When time is up, or every task passed, it turns into the results: points per task, when each
// was solved and the time used. Sized in em so it reads on a projector as on a laptop.
import type { ScenarioScore, StepDetail } from '../../api/types.js';
import { el } from '../../dom.js';
import { formatRemaining } from './session-bar.js';

/** What the board asks the page to do. */
export interface ScenarioBoardActions {
  go(step: number): void;
  /** The countdown reached zero. */
  timeUp(): void;
}

export class ScenarioBoard {
  readonly element: HTMLElement;
  private readonly scoreValue = el('strong', { class: 'score-value' });
  private readonly countdown = el('span', { class: 'exam-clock', role: 'timer', hidden: true });
  private readonly chips = el('ol', { class: 'task-chips', 'aria-label': 'Tasks' });
  private readonly results = el('section', { class: 'exam-results', 'aria-label': 'Results', hidden: true });
  private readonly ticker: ReturnType<typeof setInterval>;
  private endsAt: number | undefined;
  private timeUpSent = false;

  constructor(
    private readonly tasks: readonly StepDetail[],
    private readonly actions: ScenarioBoardActions,
  ) {
    this.element = el(
      'div',
      { class: 'scenario-board' },
      el('div', { class: 'score-line' }, el('span', { class: 'score' }, 'Score ', this.scoreValue), this.countdown),
      this.chips,
      this.results,
    );
    this.ticker = setInterval(() => this.tick(), 1000);
  }

  /** Redraws score and chips from the passed steps. */
  update(passed: ReadonlySet<number>, current: number): void {
    const scored = this.tasks.filter((t) => t.points !== undefined);
    const score = scored.filter((t) => passed.has(t.number)).reduce((sum, t) => sum + (t.points ?? 0), 0);
    const total = scored.reduce((sum, t) => sum + (t.points ?? 0), 0);
    this.scoreValue.textContent = `${score} / ${total} points`;
    this.chips.replaceChildren(
      ...scored.map((t) =>
        el(
          'li',
          {},
          el(
            'button',
            { type: 'button', class: 'task-chip', 'data-passed': String(passed.has(t.number)), 'aria-current': t.number === current ? 'step' : undefined, title: t.title, onclick: () => this.actions.go(t.number) },
            el('span', { class: 'task-number' }, String(t.number)),
            el('span', { class: 'task-points' }, passed.has(t.number) ? `✓ ${t.points}` : `${t.points} pt`),
          ),
        ),
      ),
    );
  }

  /** Starts the countdown to the server's deadline (timed scenarios). */
  setEndsAt(endsAt: number): void {
    this.endsAt = endsAt;
    this.countdown.hidden = false;
    this.tick();
  }

  /** Shows the final results (from GET /api/labs/:slug) and stops the clock. */
  showResults(score: ScenarioScore): void {
    this.endsAt = undefined;
    this.countdown.hidden = false;
    this.countdown.textContent = score.scenarioType === 'timed' && score.endsAt !== undefined && Date.now() >= score.endsAt ? 'Time is up' : 'All tasks solved';
    this.countdown.classList.add('over');
    const at = (passedAt: number | null) => (passedAt === null || score.startedAt === undefined ? '—' : formatRemaining(passedAt - score.startedAt));
    this.results.replaceChildren(
      el('h2', {}, `Results: ${score.score} / ${score.totalPoints} points`),
      el(
        'table',
        { class: 'results-table' },
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Task'), el('th', { scope: 'col' }, 'Points'), el('th', { scope: 'col' }, 'Solved after'))),
        el(
          'tbody',
          {},
          ...score.tasks.map((t) =>
            el('tr', { 'data-passed': String(t.passedAt !== null) }, el('td', {}, `${t.step}. ${t.title}`), el('td', { class: 'num' }, `${t.passedAt !== null ? t.points : 0} / ${t.points}`), el('td', { class: 'num' }, at(t.passedAt))),
          ),
        ),
      ),
      el('p', { class: 'muted' }, score.usedMs !== undefined ? `Time used: ${formatRemaining(score.usedMs)}${score.timeLimitMinutes !== undefined ? ` of ${score.timeLimitMinutes}:00` : ''}` : ''),
    );
    this.results.hidden = false;
  }

  dispose(): void {
    clearInterval(this.ticker);
  }

  private tick(): void {
    if (this.endsAt === undefined) return;
    const left = this.endsAt - Date.now();
    this.countdown.textContent = `Time left ${formatRemaining(left)}`;
    this.countdown.classList.toggle('warning', left < 5 * 60_000);
    if (left <= 0 && !this.timeUpSent) {
      this.timeUpSent = true;
      this.actions.timeUp();
    }
  }
}

// The lesson side of the lab page: the step's title and the server's HTML, its Run and Copy
// buttons, the solution (when the server allows it), Check with its results, and step navigation.
import { ApiError, fetchSolution } from '../../api/http.js';
import type { LabDetail, StepDetail } from '../../api/types.js';
import { ICONS, el, icon } from '../../dom.js';

/** What a lab calls its steps: a scenario's are tasks. */
export function stepNoun(lab: Pick<LabDetail, 'type'>): 'Step' | 'Task' {
  return lab.type === 'scenario' ? 'Task' : 'Step';
}

/** What the pane asks the page to do. */
export interface LessonPaneActions {
  run(command: string, terminal: number): void;
  check(): void;
  go(step: number): void;
}

/** The lesson pane; the page calls show() whenever the step or passed steps change. */
export class LessonPane {
  readonly element: HTMLElement;
  readonly checkButton = el('button', { type: 'button', class: 'button button-primary check-button', title: 'Check (Ctrl+Enter)', 'aria-keyshortcuts': 'Control+Enter' }, 'Check');
  private readonly heading = el('h1', { class: 'step-title', tabindex: -1 });
  private readonly position = el('p', { class: 'step-position muted' });
  private readonly body = el('div', { class: 'step-body' });
  private readonly solution = el('div', { class: 'solution' });
  private readonly results = el('div', { class: 'results-slot', 'aria-live': 'polite' });
  private readonly prev = el('button', { type: 'button', class: 'button', title: 'Previous step (Alt+←)', 'aria-keyshortcuts': 'Alt+ArrowLeft' }, icon(ICONS.left), 'Previous');
  private readonly next = el('button', { type: 'button', class: 'button', title: 'Next step (Alt+→)', 'aria-keyshortcuts': 'Alt+ArrowRight' }, 'Next', icon(ICONS.right));
  private readonly nextReason = el('p', { class: 'muted next-reason' });
  private step = 1;
  /** Scenarios call their steps tasks, which can be done in any order. */
  private readonly noun: 'Step' | 'Task';

  constructor(
    private readonly lab: LabDetail,
    private readonly actions: LessonPaneActions,
  ) {
    this.noun = stepNoun(lab);
    this.prev.title = `Previous ${this.noun.toLowerCase()} (Alt+←)`;
    this.next.title = `Next ${this.noun.toLowerCase()} (Alt+→)`;
    this.checkButton.addEventListener('click', () => actions.check());
    this.prev.addEventListener('click', () => actions.go(this.step - 1));
    this.next.addEventListener('click', () => actions.go(this.step + 1));
    this.body.addEventListener('click', (event) => this.onCodeButton(event));
    this.element = el(
      'section',
      { class: 'lesson-pane', 'aria-label': 'Lesson' },
      el('div', { class: 'lesson-scroll' }, el('header', { class: 'step-header' }, this.position, this.heading), this.body, this.solution, this.results),
      el('footer', { class: 'step-actions' }, this.prev, this.checkButton, this.next, this.nextReason),
    );
  }

  /** Shows step `n`; `focus` moves focus to its title (after navigation, not on load). */
  show(n: number, passed: ReadonlySet<number>, options: { focus?: boolean; keepResults?: boolean } = {}): void {
    const step = this.stepAt(n);
    if (!step) return;
    const changed = step.number !== this.step || this.body.childElementCount === 0;
    this.step = step.number;
    this.position.textContent = `${this.noun} ${step.number} of ${this.lab.steps.length}${passed.has(step.number) ? ' · passed' : ''}`;
    this.heading.textContent = step.title;
    if (changed) {
      this.body.innerHTML = step.html; // rendered and escaped by the server's markdown renderer
      dropRepeatedTitle(this.body, step.title);
      this.renderSolution(step);
      if (!options.keepResults) this.results.replaceChildren();
      this.element.querySelector('.lesson-scroll')?.scrollTo({ top: 0 });
    }
    this.prev.disabled = step.number <= 1;
    const last = step.number >= this.lab.steps.length;
    const locked = this.lab.gated && step.checkCount > 0 && !passed.has(step.number);
    this.next.disabled = last || locked;
    this.nextReason.textContent = last ? '' : locked ? `Next opens once this ${this.noun.toLowerCase()} passes.` : '';
    this.checkButton.hidden = step.checkCount === 0;
    if (options.focus) this.heading.focus();
  }

  /** Puts the result of Check (or why it failed) under the step. */
  showResults(element: HTMLElement): void {
    this.results.replaceChildren(element);
    element.scrollIntoView({ block: 'nearest' });
  }

  /** Enables Check and Run once a session is ready. */
  setSessionReady(ready: boolean): void {
    this.checkButton.disabled = !ready;
    for (const b of this.body.querySelectorAll<HTMLButtonElement>('.code-run')) b.disabled = !ready;
    this.element.classList.toggle('no-session', !ready);
  }

  setChecking(checking: boolean): void {
    this.checkButton.textContent = checking ? 'Checking…' : 'Check';
    this.checkButton.setAttribute('aria-busy', String(checking));
  }

  /** Whether the previous (-1) or next (+1) step can be opened now, as its button says. */
  canGo(direction: 1 | -1): boolean {
    return !(direction === 1 ? this.next : this.prev).disabled;
  }

  get current(): number {
    return this.step;
  }

  private stepAt(n: number): StepDetail | undefined {
    return this.lab.steps[Math.min(this.lab.steps.length, Math.max(1, n)) - 1];
  }

  private onCodeButton(event: Event): void {
    const button = (event.target as Element | null)?.closest<HTMLButtonElement>('button.code-run, button.code-copy');
    const command = button?.dataset['command'];
    if (!button || command === undefined) return;
    if (button.classList.contains('code-run')) {
      this.actions.run(command, Number(button.dataset['terminal'] ?? '1'));
      return;
    }
    const done = (label: string) => {
      button.textContent = label;
      setTimeout(() => (button.textContent = 'Copy'), 1500);
    };
    navigator.clipboard.writeText(command).then(
      () => done('Copied'),
      () => done('Copy failed'),
    );
  }

  private renderSolution(step: StepDetail): void {
    if (!step.hasSolution) {
      this.solution.replaceChildren();
      return;
    }
    const output = el('div', { class: 'solution-output', 'aria-live': 'polite' });
    const reveal = el('button', { type: 'button', class: 'button button-quiet' }, 'Show solution');
    const showScript = (script: string, alternatives: { title: string; solution: string }[]) => {
      reveal.hidden = true;
      output.replaceChildren(
        el('h2', { class: 'solution-title' }, 'Solution'),
        el('pre', {}, el('code', {}, script)),
        ...alternatives.flatMap((a) => [el('h3', {}, a.title), el('pre', {}, el('code', {}, a.solution))]),
      );
    };
    reveal.addEventListener('click', () => {
      reveal.disabled = true;
      fetchSolution(this.lab.slug, step.number).then(
        (reply) => showScript(reply.solution, reply.alternatives),
        (error: unknown) => {
          reveal.disabled = false;
          output.replaceChildren(el('p', { class: 'notice' }, error instanceof ApiError ? capitalise(error.message) + '.' : 'The solution could not be loaded.'));
        },
      );
    });
    this.solution.replaceChildren(reveal, output);
    if (step.solution !== undefined) showScript(step.solution, []);
  }
}

// Step files often open with their own heading; the pane already shows the title above.
function dropRepeatedTitle(body: HTMLElement, title: string): void {
  const first = body.firstElementChild;
  if (first && /^H[1-3]$/.test(first.tagName) && first.textContent?.trim() === title.trim()) first.remove();
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

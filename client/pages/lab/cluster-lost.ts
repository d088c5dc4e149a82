// The banner shown when the server's health probe finds the session's cluster gone (a node or the
// terminal container died): what happened, that progress is safe, and one button that replaces
// the cluster. It stays until the cluster is back, so a reload or a second tab shows it too.
import { el } from '../../dom.js';

/** What the banner asks the page to do. */
export interface ClusterLostActions {
  /** Replaces the cluster; resolves when the session is usable again, rejects with a message. */
  recover(): Promise<void>;
}

export class ClusterLostBanner {
  readonly element: HTMLElement;
  private readonly text = el('p', { class: 'cluster-lost-text' });
  private readonly problem = el('p', { class: 'cluster-lost-problem', hidden: true });
  private readonly button: HTMLButtonElement;

  constructor(actions: ClusterLostActions) {
    this.button = el('button', { type: 'button', class: 'button button-primary' }, 'Create a fresh cluster');
    this.button.addEventListener('click', () => {
      this.button.disabled = true;
      this.button.textContent = 'Replacing your cluster… (about a minute)';
      this.problem.hidden = true;
      actions.recover().then(
        () => this.hide(),
        (error: unknown) => {
          this.button.disabled = false;
          this.button.textContent = 'Try again';
          this.problem.hidden = false;
          this.problem.textContent = error instanceof Error ? error.message : String(error);
        },
      );
    });
    this.element = el('div', { class: 'notice notice-error cluster-lost', role: 'alert', hidden: true }, el('strong', {}, 'Cluster lost'), this.text, this.problem, this.button);
  }

  /** Shows the server's sentence ("Your cluster stopped (…). Reset creates a fresh one; …"). */
  show(message: string): void {
    this.text.textContent = message;
    this.element.hidden = false;
    if (!this.button.disabled) this.button.textContent = 'Create a fresh cluster';
  }

  hide(): void {
    this.element.hidden = true;
    this.button.disabled = false;
    this.problem.hidden = true;
  }
}

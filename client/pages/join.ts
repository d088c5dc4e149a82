// Joining a classroom: the code (from the card, the projector or the QR link /join/<code>) and a
// display name. No account: the visitor cookie is the seat, so the same browser rejoining gets
// its seat and progress back.
import '../styles/classroom.css';
import { attendeeApi } from '../api/classroom.js';
import { ApiError, fetchVisitor } from '../api/http.js';
import { el } from '../dom.js';
import { setAppBarSlot } from './app-bar.js';

export function showJoin(main: HTMLElement, code: string): { dispose(): void } {
  document.title = 'Join a classroom · kubelab';
  setAppBarSlot();
  const codeInput = el('input', { id: 'join-code', value: code, required: true, autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', placeholder: 'ABCD-EFGH', maxlength: 12, class: 'code-input' });
  const nameInput = el('input', { id: 'join-name', required: true, maxlength: 60, autocomplete: 'nickname', placeholder: 'How your instructor sees you' });
  const status = el('p', { class: 'form-status', role: 'status' });
  const form = el(
    'form',
    {
      class: 'join-form panel',
      onsubmit: (event: Event) => {
        event.preventDefault();
        status.textContent = 'Joining…';
        attendeeApi.join(codeInput.value, nameInput.value).then(
          () => {
            history.replaceState(null, '', '/#/classroom');
            window.dispatchEvent(new HashChangeEvent('hashchange'));
            window.dispatchEvent(new CustomEvent('kubelab:classroom-joined'));
          },
          (error: unknown) => {
            status.className = 'form-status error';
            status.textContent = error instanceof ApiError ? error.message : 'could not join; try again';
          },
        );
      },
    },
    el('h1', {}, 'Join a classroom'),
    el('label', { for: 'join-code' }, 'Code'),
    codeInput,
    el('label', { for: 'join-name' }, 'Your name'),
    nameInput,
    el('button', { type: 'submit', class: 'button button-primary' }, 'Join'),
    status,
  );
  main.append(el('div', { class: 'join-page' }, form));
  void fetchVisitor().then((v) => {
    if (v.displayName && !nameInput.value) nameInput.value = v.displayName;
  });
  (code ? nameInput : codeInput).focus();
  return { dispose: () => undefined };
}

// The "your name" field on the catalog: the name a trainer sees next to this browser's progress.
import { ApiError, saveDisplayName } from '../../api/http.js';
import { el } from '../../dom.js';

/** A small form that stores the display name on submit and says whether it worked. */
export function displayNameForm(current: string | null): HTMLElement {
  const input = el('input', { id: 'display-name', name: 'displayName', maxlength: 60, autocomplete: 'nickname', placeholder: 'e.g. Ada', value: current ?? '' });
  const status = el('span', { class: 'form-status', role: 'status' });
  const form = el(
    'form',
    { class: 'display-name' },
    el('label', { for: 'display-name' }, 'Your name'),
    el('div', { class: 'input-row' }, input, el('button', { type: 'submit', class: 'button' }, 'Save')),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    status.textContent = 'Saving…';
    saveDisplayName(input.value).then(
      ({ displayName }) => {
        input.value = displayName;
        status.textContent = 'Saved';
      },
      (error: unknown) => {
        status.textContent = error instanceof ApiError ? error.message : 'could not save the name';
      },
    );
  });
  return form;
}

// The instructor's start page: sign in with the instructor token, then the classrooms (open ones
// first) and the form that creates one, with this machine's capacity beside the seat counts.
import '../../styles/classroom.css';
import type { ClassroomInfo } from '../../../protocol/classroom.js';
import { type CapacityEstimate, formatCode, instructorApi } from '../../api/classroom.js';
import { ApiError, fetchCatalog } from '../../api/http.js';
import { el } from '../../dom.js';
import { setAppBarSlot } from '../app-bar.js';

const messageOf = (error: unknown) => (error instanceof ApiError ? error.message : 'something went wrong; try again');

/** Shows the sign-in form or, when signed in, the classrooms. */
export function showInstructorHome(main: HTMLElement): { dispose(): void } {
  document.title = 'kubelab · instructor';
  setAppBarSlot(el('span', { class: 'lab-title' }, 'Instructor'));
  const page = el('div', { class: 'instructor-page' });
  main.append(page);
  void instructorApi.me().then(({ signedIn }) => (signedIn ? showClassrooms(page) : showLogin(page)), (error: unknown) => page.append(el('p', { class: 'notice notice-error' }, messageOf(error))));
  return { dispose: () => setAppBarSlot() };
}

/** The sign-in form; on success the page turns into the classroom list. */
export function showLogin(page: HTMLElement): void {
  const input = el('input', { type: 'password', id: 'instructor-token', autocomplete: 'current-password', required: true, 'aria-describedby': 'token-help' });
  const status = el('p', { class: 'form-status', role: 'status' });
  const form = el(
    'form',
    {
      class: 'login-form',
      onsubmit: (event: Event) => {
        event.preventDefault();
        status.textContent = 'Signing in…';
        instructorApi.login(input.value).then(
          () => {
            page.replaceChildren();
            showClassrooms(page);
          },
          (error: unknown) => {
            status.textContent = messageOf(error);
            status.className = 'form-status error';
          },
        );
      },
    },
    el('h1', {}, 'Instructor sign-in'),
    el('label', { for: 'instructor-token' }, 'Instructor token'),
    input,
    el('p', { class: 'muted', id: 'token-help' }, 'Printed in the server console on its first start, or set with KUBELAB_INSTRUCTOR_TOKEN.'),
    el('button', { type: 'submit', class: 'button button-primary' }, 'Sign in'),
    status,
  );
  page.replaceChildren(form);
  input.focus();
}

async function showClassrooms(page: HTMLElement): Promise<void> {
  const [{ classrooms, capacity }, catalog] = await Promise.all([instructorApi.list(), fetchCatalog()]);
  const labs = [...catalog.lessons, ...catalog.scenarios];
  const open = classrooms.filter((c) => c.endedAt === null);
  const ended = classrooms.filter((c) => c.endedAt !== null);
  const row = (c: ClassroomInfo) =>
    el(
      'li',
      { class: 'classroom-item' },
      el('a', { href: `#/instructor/classrooms/${c.id}` }, c.name),
      el('span', { class: 'muted' }, ` · ${formatCode(c.code)} · ${c.labs.map((l) => l.title).join(', ')} · ${c.seats} seats`),
      c.endedAt !== null ? el('a', { href: `#/instructor/classrooms/${c.id}/summary`, class: 'summary-link' }, 'Summary') : null,
    );
  page.replaceChildren(
    el('div', { class: 'instructor-columns' },
      el('section', { 'aria-labelledby': 'new-title', class: 'panel' }, el('h1', { id: 'new-title' }, 'New classroom'), createForm(labs.map((l) => ({ slug: l.slug, title: l.title, type: l.type, minutes: l.minutes })), capacity)),
      el('section', { 'aria-labelledby': 'list-title', class: 'panel' },
        el('h2', { id: 'list-title' }, 'Open classrooms'),
        open.length ? el('ul', { class: 'classroom-list' }, ...open.map(row)) : el('p', { class: 'muted' }, 'None yet: create one on the left.'),
        ended.length ? el('h2', {}, 'Ended') : null,
        ended.length ? el('ul', { class: 'classroom-list' }, ...ended.map(row)) : null,
        el('button', { type: 'button', class: 'button button-quiet', onclick: () => void instructorApi.logout().then(() => location.reload()) }, 'Sign out'),
      ),
    ),
  );
}

function createForm(labs: { slug: string; title: string; type: string; minutes: number }[], capacity: CapacityEstimate): HTMLElement {
  const chosen: string[] = [];
  const order = el('ol', { class: 'chosen-labs' });
  const field = (label: string, input: HTMLElement, help?: string) => el('div', { class: 'field' }, el('label', { for: input.id }, label), input, help ? el('p', { class: 'muted field-help' }, help) : null);
  const num = (id: string, value: number, min: number, max: number) => el('input', { type: 'number', id, value, min, max, required: true });
  const name = el('input', { id: 'cls-name', required: true, maxlength: 100, placeholder: 'Kubernetes basics, Tuesday' });
  const seats = num('cls-seats', 20, 1, 200);
  const prewarm = num('cls-prewarm', Math.min(5, capacity.clusters), 0, 200);
  const minutes = num('cls-minutes', 120, 5, 1440);
  const stuck = num('cls-stuck', 10, 1, 120);
  const gated = el('input', { type: 'checkbox', id: 'cls-gated', checked: true });
  const starts = el('input', { type: 'datetime-local', id: 'cls-starts' });
  const ends = el('input', { type: 'datetime-local', id: 'cls-ends' });
  const estimate = el('p', { class: 'capacity', role: 'status' });
  const status = el('p', { class: 'form-status', role: 'status' });
  const picker = el('select', { id: 'cls-lab-picker' }, el('option', { value: '' }, 'Add a lab…'), ...labs.map((l) => el('option', { value: l.slug }, `${l.title} (${l.type}, ${l.minutes} min)`)));

  const renderOrder = () => {
    order.replaceChildren(
      ...chosen.map((slug, i) =>
        el('li', {},
          labs.find((l) => l.slug === slug)?.title ?? slug,
          el('button', { type: 'button', class: 'button button-small button-quiet', 'aria-label': 'Move up', disabled: i === 0, onclick: () => { chosen.splice(i - 1, 0, ...chosen.splice(i, 1)); renderOrder(); } }, '↑'),
          el('button', { type: 'button', class: 'button button-small button-quiet', 'aria-label': 'Remove', onclick: () => { chosen.splice(i, 1); renderOrder(); } }, '✕'),
        ),
      ),
    );
    if (!chosen.length) order.append(el('li', { class: 'muted' }, 'No lab yet'));
  };
  const renderEstimate = () => {
    const wanted = Math.max(Number(seats.value), Number(prewarm.value));
    const over = wanted > capacity.clusters;
    estimate.className = `capacity${over ? ' capacity-over' : ''}`;
    estimate.textContent = `This machine holds about ${capacity.clusters} idle clusters (${capacity.freeMemoryMiB} MiB free, ${capacity.cpus} CPUs; ~600 MiB and ~0.3 CPU each).` + (over ? ` ${wanted} is more: labs will be slow or fail to start.` : '');
  };
  picker.addEventListener('change', () => {
    if (picker.value && !chosen.includes(picker.value)) chosen.push(picker.value);
    picker.value = '';
    renderOrder();
  });
  seats.addEventListener('input', renderEstimate);
  prewarm.addEventListener('input', renderEstimate);
  renderOrder();
  renderEstimate();

  const time = (input: HTMLInputElement) => (input.value ? new Date(input.value).getTime() : null);
  return el(
    'form',
    {
      class: 'create-form',
      onsubmit: (event: Event) => {
        event.preventDefault();
        if (!chosen.length) {
          status.textContent = 'Add at least one lab.';
          return;
        }
        status.textContent = 'Creating…';
        instructorApi
          .create({ name: name.value, labs: chosen, seats: Number(seats.value), prewarm: Number(prewarm.value), sessionMinutes: Number(minutes.value), gated: gated.checked, stuckMinutes: Number(stuck.value), startsAt: time(starts), endsAt: time(ends) })
          .then(({ classroom }) => (location.hash = `#/instructor/classrooms/${classroom.id}`), (error: unknown) => (status.textContent = messageOf(error)));
      },
    },
    field('Name', name),
    el('div', { class: 'field' }, el('label', { for: 'cls-lab-picker' }, 'Labs, in order'), order, picker),
    el('div', { class: 'field-row' }, field('Seats', seats), field('Pre-warm clusters', prewarm, 'Created in the background now')),
    estimate,
    el('div', { class: 'field-row' }, field('Session length (min)', minutes), field('Stuck after (min)', stuck, 'No progress this long, or 3 failed checks in a row')),
    el('div', { class: 'field checkbox' }, gated, el('label', { for: 'cls-gated' }, 'Steps open only once the previous one passes its checks')),
    el('div', { class: 'field-row' }, field('Starts (optional)', starts), field('Ends (optional)', ends, 'Joining closes then; 30 minutes later the classroom ends by itself and frees its clusters.')),
    el('button', { type: 'submit', class: 'button button-primary' }, 'Create classroom'),
    status,
  );
}

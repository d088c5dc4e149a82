// The attendee's classroom: its labs in the instructor's order, with how far this attendee got
// and a link into each. The overlay (classroom-overlay.ts) carries messages and the hand.
import '../styles/classroom.css';
import { attendeeApi } from '../api/classroom.js';
import { el } from '../dom.js';
import { setAppBarSlot } from './app-bar.js';

export function showClassroomHome(main: HTMLElement): { dispose(): void } {
  const page = el('div', { class: 'catalog' });
  main.append(page);
  void attendeeApi.mine().then(({ classroom }) => {
    if (!classroom) {
      page.append(el('h1', {}, 'You are not in a classroom'), el('p', {}, el('a', { href: '#/join' }, 'Join one with a code'), ' or ', el('a', { href: '#/' }, 'pick a lab yourself'), '.'));
      return;
    }
    document.title = `${classroom.name} · kubelab`;
    setAppBarSlot(el('span', { class: 'lab-title' }, classroom.name));
    page.append(
      el('h1', {}, classroom.name),
      el('p', { class: 'muted' }, `You are ${classroom.displayName}, seat ${classroom.seat}. Work through the labs in order; your instructor sees your progress.`),
      el('ol', { class: 'classroom-labs' },
        ...classroom.labs.map((lab) =>
          el('li', { class: 'lab-card' },
            el('h3', {}, el('a', { class: 'lab-card-link', href: `#/labs/${lab.slug}` }, lab.title)),
            el('div', { class: 'lab-card-progress' }, el('progress', { max: lab.steps, value: lab.passedSteps.length }), `${lab.passedSteps.length} of ${lab.steps} steps`),
          ),
        ),
      ),
    );
  });
  return { dispose: () => setAppBarSlot() };
}

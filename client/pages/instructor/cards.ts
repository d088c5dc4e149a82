// Printable join cards: N cards per classroom (its seat count by default), each with the join
// URL, the code and the QR code. The print stylesheet drops the app chrome and lays out 8 per A4.
import '../../styles/classroom.css';
import { formatCode, instructorApi } from '../../api/classroom.js';
import { ApiError } from '../../api/http.js';
import { el } from '../../dom.js';
import { setAppBarSlot } from '../app-bar.js';

export function showCards(main: HTMLElement, id: string): { dispose(): void } {
  const page = el('div', { class: 'cards-page' });
  main.append(page);
  void instructorApi.snapshot(id).then(
    (s) => {
      document.title = `Join cards · ${s.classroom.name}`;
      setAppBarSlot(el('span', { class: 'lab-title' }, `Join cards · ${s.classroom.name}`));
      const url = `${location.origin}${s.classroom.joinPath}`;
      const count = el('input', { type: 'number', id: 'card-count', min: 1, max: 200, value: s.classroom.seats });
      const grid = el('div', { class: 'card-sheet' });
      const render = () => {
        const n = Math.max(1, Math.min(200, Number(count.value) || 1));
        grid.replaceChildren(
          ...Array.from({ length: n }, () =>
            el('article', { class: 'join-card' },
              el('h2', {}, s.classroom.name),
              el('img', { src: instructorApi.qrUrl(id), alt: '', class: 'join-card-qr' }),
              el('p', { class: 'join-card-step' }, '1. Scan, or open ', el('b', {}, url.replace(/^https?:\/\//, '').replace(/\/join\/.*$/, '/join'))),
              el('p', { class: 'join-card-step' }, '2. Enter the code'),
              el('p', { class: 'join-card-code' }, formatCode(s.classroom.code)),
              el('p', { class: 'join-card-step' }, '3. Type your name. No account needed.'),
            ),
          ),
        );
      };
      count.addEventListener('input', render);
      render();
      page.replaceChildren(
        el('div', { class: 'cards-controls no-print' },
          el('a', { href: `#/instructor/classrooms/${id}` }, '← Dashboard'),
          el('label', { for: 'card-count' }, 'Cards'), count,
          el('button', { type: 'button', class: 'button button-primary', onclick: () => print() }, 'Print'),
        ),
        grid,
      );
    },
    (error: unknown) => page.append(el('p', { class: 'notice notice-error' }, error instanceof ApiError ? error.message : 'could not load the classroom')),
  );
  return { dispose: () => setAppBarSlot() };
}

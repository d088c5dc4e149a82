// After (or during) a workshop: the completion funnel per step, the median time each step took,
// the steps whose checks failed most (with the checks that failed), and the exports.
import '../../styles/classroom.css';
import { type StepSummary, instructorApi } from '../../api/classroom.js';
import { ApiError } from '../../api/http.js';
import { el } from '../../dom.js';
import { setAppBarSlot } from '../app-bar.js';

const seconds = (s: number | null) => (s === null ? '—' : s < 90 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`);

export function showSummary(main: HTMLElement, id: string): { dispose(): void } {
  const page = el('div', { class: 'summary-page' });
  main.append(page);
  void instructorApi.summary(id).then(
    ({ classroom, attendees, steps }) => {
      document.title = `Summary · ${classroom.name}`;
      setAppBarSlot(el('span', { class: 'lab-title' }, `Summary · ${classroom.name}`));
      const title = (s: StepSummary) => `${classroom.labs.length > 1 ? `${classroom.labs.find((l) => l.slug === s.lab)?.title ?? s.lab} · ` : ''}${s.step}. ${s.title}`;
      const hardest = [...steps].filter((s) => s.failedChecks > 0).sort((a, b) => b.failedChecks - a.failedChecks).slice(0, 5);
      page.replaceChildren(
        el('p', {}, el('a', { href: `#/instructor/classrooms/${id}` }, '← Dashboard'), ' · ',
          el('a', { href: instructorApi.exportUrl(id, 'csv'), download: '' }, 'Export CSV'), ' · ',
          el('a', { href: instructorApi.exportUrl(id, 'json'), download: '' }, 'Export JSON')),
        el('h1', {}, `${classroom.name}: ${attendees} attendee${attendees === 1 ? '' : 's'}`),
        el('section', { class: 'panel' },
          el('h2', {}, 'Completion by step'),
          el('table', { class: 'funnel' },
            el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Step'), el('th', { scope: 'col' }, 'Passed'), el('th', { scope: 'col', class: 'funnel-bar-col' }, ''), el('th', { scope: 'col' }, 'Started'), el('th', { scope: 'col' }, 'Median time'), el('th', { scope: 'col' }, 'Failed checks'))),
            el('tbody', {}, ...steps.map((s) =>
              el('tr', {},
                el('th', { scope: 'row' }, title(s)),
                el('td', { class: 'num' }, String(s.passed)),
                el('td', { class: 'funnel-bar-col' }, el('span', { class: 'funnel-bar', style: `width: ${attendees ? (100 * s.passed) / attendees : 0}%` })),
                el('td', { class: 'num' }, String(s.started)),
                el('td', { class: 'num' }, seconds(s.medianSeconds)),
                el('td', { class: 'num' }, String(s.failedChecks)),
              ))),
          ),
        ),
        el('section', { class: 'panel' },
          el('h2', {}, 'Steps with the most failed checks'),
          hardest.length
            ? el('ol', { class: 'hardest' }, ...hardest.map((s) => el('li', {}, el('b', {}, title(s)), ` — ${s.failedChecks} failed checks`, el('ul', {}, ...s.topFailures.map((f) => el('li', { class: 'muted' }, `${f.title} (${f.count}×)`))))))
            : el('p', { class: 'muted' }, 'No check has failed yet.'),
        ),
      );
    },
    (error: unknown) => page.append(el('p', { class: 'notice notice-error' }, error instanceof ApiError ? error.message : 'could not load the summary')),
  );
  return { dispose: () => setAppBarSlot() };
}

// One lab in the catalog: a link-sized card with type, difficulty, minutes (a scenario's time
// limit and points), tags and a progress bar of the steps passed (a scenario's: the visitor's score).
import type { CatalogEntry } from '../../api/types.js';
import { ICONS, el, icon } from '../../dom.js';

/** The card for `entry`; the whole card is one link to the lab. */
export function labCard(entry: CatalogEntry): HTMLElement {
  const passed = entry.progress.passedSteps.length;
  const share = entry.stepCount ? passed / entry.stepCount : 0;
  const lessonText = passed === entry.stepCount && passed > 0 ? 'Completed' : entry.progress.started ? `${passed} of ${entry.stepCount} steps passed` : `${entry.stepCount} steps`;
  // A scenario shows the visitor's score (or, before they start, how many tasks it has).
  const scenarioText = entry.bestScore !== undefined ? `Your score: ${entry.bestScore} / ${entry.totalPoints} points` : `${entry.stepCount} tasks`;
  const progressText = entry.totalPoints !== undefined ? scenarioText : lessonText;
  return el(
    'article',
    { class: 'lab-card', 'data-slug': entry.slug },
    el(
      'div',
      { class: 'lab-card-meta' },
      el('span', { class: `badge badge-${entry.type}` }, entry.type === 'scenario' ? (entry.scenarioType ?? 'scenario') : 'lesson'),
      el('span', { class: `difficulty difficulty-${entry.difficulty}` }, entry.difficulty),
      el('span', { class: 'minutes', title: entry.timeLimitMinutes !== undefined ? 'Time limit' : 'About this long' }, icon(ICONS.clock, 'icon icon-small'), entry.timeLimitMinutes !== undefined ? `${entry.timeLimitMinutes} min limit` : `${entry.minutes} min`),
      entry.totalPoints !== undefined && el('span', { class: 'points' }, `${entry.totalPoints} points`),
    ),
    el('h3', {}, el('a', { href: `#/labs/${entry.slug}`, class: 'lab-card-link' }, entry.title)),
    el('p', { class: 'lab-card-summary' }, entry.summary),
    el('ul', { class: 'tag-list', 'aria-label': 'Tags' }, ...entry.tags.map((t) => el('li', { class: 'tag' }, t))),
    el(
      'div',
      { class: 'lab-card-progress' },
      el('progress', { max: entry.stepCount || 1, value: passed, 'aria-label': `Progress in ${entry.title}` }),
      el('span', { class: 'muted' }, progressText),
      el('span', { class: 'sr-only' }, `${Math.round(share * 100)}%`),
    ),
  );
}

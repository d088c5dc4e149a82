// The catalog: lessons and scenarios as cards with this visitor's progress, a filter by text or
// tag, and the name a trainer sees. A card opens its lab.
import { ApiError, fetchCatalog, fetchVisitor } from '../api/http.js';
import type { Catalog, CatalogEntry } from '../api/types.js';
import { el } from '../dom.js';
import { setAppBarSlot } from './app-bar.js';
import { labCard } from './catalog/lab-card.js';
import { displayNameForm } from './catalog/display-name.js';

/** Whether a lab matches the filter text (title, summary, tags, difficulty) and the chosen tag. */
export function matchesFilter(entry: CatalogEntry, text: string, tag: string | undefined): boolean {
  if (tag && !entry.tags.includes(tag)) return false;
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const haystack = [entry.title, entry.summary, entry.difficulty, entry.type, ...entry.tags].join(' ').toLowerCase();
  return words.every((w) => haystack.includes(w));
}

/** Shows the catalog in `main`. */
export function showCatalog(main: HTMLElement): { dispose(): void } {
  document.title = 'kubelab · labs';
  setAppBarSlot();
  const page = el('div', { class: 'catalog' });
  const status = el('p', { class: 'muted', role: 'status' }, 'Loading the labs…');
  page.append(status);
  main.append(page);
  void Promise.all([fetchCatalog(), fetchVisitor()]).then(
    ([catalog, visitor]) => {
      status.remove();
      page.append(intro(visitor.displayName), ...catalogBody(catalog));
    },
    (error: unknown) => {
      status.className = 'notice notice-error';
      status.textContent = error instanceof ApiError ? error.message : 'the catalog could not be loaded; reload the page';
    },
  );
  return { dispose: () => undefined };
}

function intro(displayName: string | null): HTMLElement {
  return el(
    'section',
    { class: 'catalog-intro' },
    el('div', {}, el('h1', {}, 'Pick a lab'), el('p', { class: 'muted' }, 'Each lab gives you a real terminal on your own Kubernetes cluster. Press Check whenever you like: it tells you exactly what is still missing.')),
    displayNameForm(displayName),
  );
}

function catalogBody(catalog: Catalog): HTMLElement[] {
  const all = [...catalog.lessons, ...catalog.scenarios];
  const tags = [...new Set(all.flatMap((e) => e.tags))].sort();
  let tag: string | undefined;
  const search = el('input', { type: 'search', id: 'catalog-filter', placeholder: 'Filter by title, topic or tag', autocomplete: 'off', 'aria-label': 'Filter labs' });
  const tagButtons = tags.map((t) => el('button', { type: 'button', class: 'tag tag-button', 'aria-pressed': 'false', 'data-tag': t }, t));
  const lessons = el('div', { class: 'card-grid' });
  const scenarios = el('div', { class: 'card-grid' });
  const empty = el('p', { class: 'muted', hidden: true }, 'No lab matches this filter.');
  const lessonSection = el('section', { 'aria-labelledby': 'lessons-title' }, el('h2', { id: 'lessons-title' }, 'Lessons'), lessons);
  const scenarioSection = el('section', { 'aria-labelledby': 'scenarios-title' }, el('h2', { id: 'scenarios-title' }, 'Scenarios'), scenarios);

  const render = () => {
    const lessonCards = catalog.lessons.filter((e) => matchesFilter(e, search.value, tag)).map(labCard);
    const scenarioCards = catalog.scenarios.filter((e) => matchesFilter(e, search.value, tag)).map(labCard);
    lessons.replaceChildren(...lessonCards);
    scenarios.replaceChildren(...scenarioCards);
    lessonSection.hidden = lessonCards.length === 0;
    scenarioSection.hidden = scenarioCards.length === 0;
    empty.hidden = lessonCards.length + scenarioCards.length > 0;
    for (const b of tagButtons) b.setAttribute('aria-pressed', String(b.dataset['tag'] === tag));
  };
  search.addEventListener('input', render);
  for (const b of tagButtons) {
    b.addEventListener('click', () => {
      tag = tag === b.dataset['tag'] ? undefined : b.dataset['tag'];
      render();
    });
  }
  render();
  const filter = el('div', { class: 'catalog-filter' }, search, el('div', { class: 'tag-list', role: 'group', 'aria-label': 'Filter by tag' }, ...tagButtons));
  return [filter, lessonSection, scenarioSection, empty];
}

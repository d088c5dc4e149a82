// The bar across the top of every page: the product name (back to the catalog), a slot pages fill
// with their own title, and the reading controls an attendee needs all day: A−/A+ and the theme.
import { ICONS, el, icon } from '../dom.js';
import { fontSize, onPreferencesChange, setTheme, stepFontSize, theme } from '../preferences.js';

/** Id of the element pages put their title and status into. */
export const APP_BAR_SLOT = 'app-bar-slot';

/** Draws the bar into `bar` once; it follows preference changes by itself. */
export function renderAppBar(bar: HTMLElement): void {
  const size = el('span', { class: 'font-size-value', 'aria-live': 'polite' });
  const themeButton = el('button', { type: 'button', class: 'icon-button', onclick: () => setTheme(theme() === 'dark' ? 'light' : 'dark') });
  const smaller = el('button', { type: 'button', class: 'icon-button', 'aria-label': 'Smaller text', title: 'Smaller text', onclick: () => stepFontSize(-1) }, 'A−');
  const larger = el('button', { type: 'button', class: 'icon-button', 'aria-label': 'Larger text', title: 'Larger text', onclick: () => stepFontSize(1) }, 'A+');
  const update = () => {
    size.textContent = `${fontSize()}px`;
    const dark = theme() === 'dark';
    themeButton.replaceChildren(icon(dark ? ICONS.sun : ICONS.moon));
    themeButton.setAttribute('aria-label', dark ? 'Use light theme' : 'Use dark theme');
    themeButton.title = dark ? 'Light theme' : 'Dark theme';
  };
  bar.replaceChildren(
    el('a', { class: 'brand', href: '#/' }, el('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'k'), 'kubelab'),
    el('div', { class: 'app-bar-slot', id: APP_BAR_SLOT }),
    el('div', { class: 'reading-controls', role: 'group', 'aria-label': 'Reading' }, smaller, size, larger, themeButton),
  );
  update();
  onPreferencesChange(update);
}

/** Replaces what the current page shows in the app bar. */
export function setAppBarSlot(...children: (Node | string)[]): void {
  document.getElementById(APP_BAR_SLOT)?.replaceChildren(...children);
}

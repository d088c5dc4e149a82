// What an attendee chose on this browser: theme, lesson and terminal font size, and where the
// split between lesson and terminal sits. Kept in localStorage so a reload or the next lab keeps
// them; a browser that refuses storage just forgets.

export type ThemeName = 'light' | 'dark';

const KEYS = { theme: 'kubelab.theme', fontSize: 'kubelab.fontSize', split: 'kubelab.split' } as const;

/** Font size steps in px for A−/A+; 20 and up is for projectors. */
export const FONT_SIZES = [12, 13, 14, 16, 18, 20, 22, 24, 28] as const;
const DEFAULT_FONT_SIZE = 14;
/** Lesson pane width as a share of the page, bounded so neither side disappears. */
export const SPLIT_RANGE = { min: 0.2, max: 0.75, initial: 0.42 } as const;

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // storage refused (private mode, quota): the choice lasts for this page only
  }
}

const listeners = new Set<() => void>();

/** Calls `listener` after any preference changes; returns the unsubscribe. */
export function onPreferencesChange(listener: () => void): { dispose(): void } {
  listeners.add(listener);
  return { dispose: () => listeners.delete(listener) };
}
const changed = () => listeners.forEach((l) => l());

/** The stored theme, else the system's. */
export function theme(): ThemeName {
  const stored = read(KEYS.theme);
  if (stored === 'light' || stored === 'dark') return stored;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function setTheme(name: ThemeName): void {
  write(KEYS.theme, name);
  applyToDocument();
  changed();
}

export function fontSize(): number {
  const stored = Number(read(KEYS.fontSize));
  return (FONT_SIZES as readonly number[]).includes(stored) ? stored : DEFAULT_FONT_SIZE;
}

/** Moves the font size one step up (+1) or down (-1); returns the new size. */
export function stepFontSize(direction: 1 | -1): number {
  const i = FONT_SIZES.indexOf(fontSize() as (typeof FONT_SIZES)[number]);
  const next = FONT_SIZES[Math.min(FONT_SIZES.length - 1, Math.max(0, i + direction))] ?? DEFAULT_FONT_SIZE;
  write(KEYS.fontSize, String(next));
  applyToDocument();
  changed();
  return next;
}

export function split(): number {
  const stored = Number(read(KEYS.split));
  return stored >= SPLIT_RANGE.min && stored <= SPLIT_RANGE.max ? stored : SPLIT_RANGE.initial;
}

export function setSplit(share: number): number {
  const bounded = Math.min(SPLIT_RANGE.max, Math.max(SPLIT_RANGE.min, share));
  write(KEYS.split, bounded.toFixed(3));
  return bounded;
}

/** Puts theme and font size on <html> for the stylesheet. */
export function applyToDocument(): void {
  document.documentElement.dataset['theme'] = theme();
  document.documentElement.style.setProperty('--font-size', `${fontSize()}px`);
}

/** Follows the system theme while the attendee has not chosen one. */
export function followSystemTheme(): void {
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    if (read(KEYS.theme) === null) {
      applyToDocument();
      changed();
    }
  });
}

// Building DOM without a framework: one function that makes an element with attributes, listeners
// and children, so page modules read as a tree instead of a list of appendChild calls.

type Child = Node | string | false | null | undefined;
type Attributes = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

/**
 * Creates `<tag>`: `on…` keys become listeners, `true` a bare attribute, `false`/undefined none,
 * and `class`/`text` their obvious meaning. Strings are text nodes, never HTML.
 */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'text') element.textContent = String(value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  element.append(...children.filter((c): c is Node | string => c !== false && c !== null && c !== undefined));
  return element;
}

/** An inline SVG icon from a path list drawn on a 24×24 grid, hidden from screen readers. */
export function icon(paths: string, className = 'icon'): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', className);
  svg.setAttribute('aria-hidden', 'true');
  for (const d of paths.split('|')) {
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

/** Icon paths used across pages (stroked, round caps; see styles). */
export const ICONS = {
  check: 'M5 12.5l4.5 4.5L19 7.5',
  cross: 'M6 6l12 12|M18 6L6 18',
  sun: 'M12 4V2|M12 22v-2|M4 12H2|M22 12h-2|M5.6 5.6L4.2 4.2|M19.8 19.8l-1.4-1.4|M5.6 18.4l-1.4 1.4|M19.8 4.2l-1.4 1.4|M12 16a4 4 0 1 0 0-8 4 4 0 0 0 0 8z',
  moon: 'M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z',
  left: 'M15 6l-6 6 6 6',
  right: 'M9 6l6 6-6 6',
  clock: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z|M12 7v5l3 2',
} as const;

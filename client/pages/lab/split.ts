// The draggable divider between the lesson and the terminals. The share is a CSS variable on the
// layout, persisted in preferences; arrow keys move it too, so the handle works without a mouse.
import { el } from '../../dom.js';
import { setSplit, split } from '../../preferences.js';

const KEY_STEP = 0.02;

/** A separator that resizes `layout`'s first column; returns the handle element. */
export function splitHandle(layout: HTMLElement): HTMLElement {
  const apply = (share: number) => {
    const bounded = setSplit(share);
    layout.style.setProperty('--split', `${(bounded * 100).toFixed(1)}%`);
    handle.setAttribute('aria-valuenow', String(Math.round(bounded * 100)));
  };
  const handle = el('div', { class: 'split-handle', role: 'separator', tabindex: 0, 'aria-orientation': 'vertical', 'aria-label': 'Resize lesson and terminal', 'aria-valuemin': 20, 'aria-valuemax': 75 });
  handle.addEventListener('pointerdown', (down) => {
    down.preventDefault();
    handle.setPointerCapture(down.pointerId);
    layout.classList.add('resizing');
    const move = (event: PointerEvent) => {
      const box = layout.getBoundingClientRect();
      apply((event.clientX - box.left) / box.width);
    };
    const up = () => {
      layout.classList.remove('resizing');
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
  });
  handle.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowLeft') apply(split() - KEY_STEP);
    else if (event.key === 'ArrowRight') apply(split() + KEY_STEP);
    else return;
    event.preventDefault();
  });
  apply(split());
  return handle;
}

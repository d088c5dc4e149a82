import { describe, expect, it } from 'vitest';
import { effectiveSize } from '../../../server/terminals/terminal-size.js';

describe('effectiveSize', () => {
  it.each([
    { name: 'no clients keep the current size', sizes: [], expected: undefined },
    { name: 'one client gets its own size', sizes: [{ cols: 120, rows: 40 }], expected: { cols: 120, rows: 40 } },
    { name: 'rows and columns are each the smallest', sizes: [{ cols: 120, rows: 20 }, { cols: 80, rows: 50 }], expected: { cols: 80, rows: 20 } },
    { name: 'a tiny screen shrinks everyone', sizes: [{ cols: 200, rows: 60 }, { cols: 40, rows: 10 }, { cols: 100, rows: 30 }], expected: { cols: 40, rows: 10 } },
  ])('$name', ({ sizes, expected }) => {
    expect(effectiveSize(sizes)).toEqual(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { median } from '../../bench/clusters.js';
import { percentile } from '../../bench/start-to-prompt.js';

describe('bench statistics', () => {
  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('p95 by nearest rank: the largest of a few runs, the 95th of a hundred', () => {
    expect(percentile([1.2, 0.9, 1.1], 95)).toBe(1.2);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 95)).toBe(95);
    expect(percentile([], 95)).toBeNaN();
  });
});

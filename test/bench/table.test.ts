import { describe, expect, it } from 'vitest';
import { renderTable, verdict } from '../../bench/table.js';

describe('bench targets table', () => {
  it('says met, or by how much a target is missed', () => {
    expect(verdict(1.2, 2, true, 's')).toBe('met');
    expect(verdict(2.5, 2, true, 's')).toBe('missed by 0.5 s');
    expect(verdict(9, 2, true, 'ms')).toBe('missed by 7 ms (4.5×)');
    expect(verdict(77, 90, false, 'points')).toBe('missed by 13 points');
    expect(verdict(undefined, 90, false, 'points')).toBe('not measured yet');
  });

  it('renders one markdown row per target, with the command in code and pipes escaped', () => {
    const table = renderTable([{ what: 'a | b', target: '≤ 2 s', figure: '1 s', verdict: 'met', command: 'npm run bench -- start', measured: '2026-11-23 12:00' }]);
    expect(table.split('\n')).toEqual([
      '| what | target | figure | verdict | command | measured |',
      '| --- | --- | --- | --- | --- | --- |',
      '| a \\| b | ≤ 2 s | 1 s | met | `npm run bench -- start` | 2026-11-23 12:00 |',
    ]);
  });
});

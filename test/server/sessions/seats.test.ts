import { describe, expect, it } from 'vitest';
import { coldStartRoom, defaultMaxSessions, poolCapacity, seatRefusal } from '../../../server/sessions/session-manager/seats.js';

const GiB = 2 ** 30;

describe('seats', () => {
  it('sizes the default from free memory at 600 MiB a seat, never below one', () => {
    expect(defaultMaxSessions(22 * GiB)).toBe(37);
    expect(defaultMaxSessions(1.2 * GiB)).toBe(2);
    expect(defaultMaxSessions(100 * 2 ** 20)).toBe(1);
    expect(defaultMaxSessions(0)).toBe(1);
  });

  it('refuses once running and starting sessions fill every seat, saying what to do', () => {
    expect(seatRefusal(3, 2)).toBeUndefined();
    expect(seatRefusal(3, 3)).toBe('all 3 seats are in use; try again in a few minutes or ask the instructor');
    expect(seatRefusal(1, 4)).toBe('all 1 seat is in use; try again in a few minutes or ask the instructor');
  });

  it.each([
    [4, 0, 2, 2],
    [4, 3, 2, 1],
    [4, 4, 2, 0],
    [4, 6, 2, 0],
  ])('lets the pool hold only free seats: max %i, in use %i, size %i → %i', (max, inUse, size, expected) => {
    expect(poolCapacity(max, inUse, size)).toBe(expected);
  });

  it.each([
    [{ max: 4, inUse: 3, poolReady: 1, poolCreating: 0 }, 'create'],
    [{ max: 4, inUse: 4, poolReady: 0, poolCreating: 0 }, 'create'],
    [{ max: 4, inUse: 4, poolReady: 1, poolCreating: 0 }, 'evict-warm'],
    [{ max: 4, inUse: 4, poolReady: 0, poolCreating: 1 }, 'wait-for-pool'],
    [{ max: 4, inUse: 3, poolReady: 1, poolCreating: 1 }, 'evict-warm'],
  ] as const)('makes room for a cold cluster within the limit: %j → %s', (state, expected) => {
    expect(coldStartRoom(state)).toBe(expected);
  });
});

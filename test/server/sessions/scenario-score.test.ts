import { describe, expect, it } from 'vitest';
import type { Lab } from '../../../server/lessons/load.js';
import { scenarioScore } from '../../../server/sessions/scenario-score.js';

const step = (number: number, points?: number) => ({ number, title: `task ${number}`, ...(points !== undefined && { points }) });
const timed = { type: 'scenario', slug: 'exam', manifest: { type: 'timed', timeLimitMinutes: 30 }, steps: [step(1), step(2, 10), step(3, 5)] } as unknown as Lab;
const repair = { ...timed, manifest: { type: 'repair' } } as unknown as Lab;
const passed = (s: number, at: number) => ({ lab: 'exam', step: s, startedAt: 0, passedAt: at });
const MIN = 60_000;

describe('scenarioScore', () => {
  it('scores passed tasks in any order; reading steps carry no points', () => {
    expect(scenarioScore(repair, [passed(3, 5 * MIN)], 0, 6 * MIN)).toMatchObject({ scenarioType: 'repair', score: 5, totalPoints: 15, over: false, usedMs: 6 * MIN });
    expect(scenarioScore(repair, [passed(3, 5 * MIN), passed(2, 9 * MIN)], 0, 20 * MIN)).toMatchObject({ score: 15, over: true, usedMs: 9 * MIN });
  });

  it('counts only passes before the time limit, and is over once time is up', () => {
    const late = scenarioScore(timed, [passed(2, 10 * MIN), passed(3, 31 * MIN)], 0, 40 * MIN);
    expect(late).toMatchObject({ score: 10, endsAt: 30 * MIN, over: true, usedMs: 30 * MIN });
    expect(late?.tasks).toEqual([{ step: 2, title: 'task 2', points: 10, passedAt: 10 * MIN }, { step: 3, title: 'task 3', points: 5, passedAt: null }]);
    expect(scenarioScore(timed, [], 0, 29 * MIN)).toMatchObject({ score: 0, over: false, usedMs: 29 * MIN });
  });

  it('has no clock before the first session, and no score for a lesson', () => {
    expect(scenarioScore(timed, [], undefined, 0)).not.toHaveProperty('endsAt');
    expect(scenarioScore({ ...timed, type: 'lesson' } as unknown as Lab, [], 0, 0)).toBeUndefined();
  });
});

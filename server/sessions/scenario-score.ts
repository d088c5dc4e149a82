// A scenario's score, pure: tasks (steps with points) are taken in any order, each scores its
// points once it passes, and in a timed scenario only passes before the time limit count. The
// clock starts at the visitor's first session (store: scenario_runs) and is never reset, so a
// reload, a reset or a server restart cannot buy time.
import type { Lab } from '../lessons/load.js';
import type { StepProgress } from '../store/store.js';

/** One task's result. */
export interface TaskScore {
  step: number;
  title: string;
  points: number;
  /** When it passed (within the limit), else null. */
  passedAt: number | null;
}

/** Where a visitor stands in a scenario. */
export interface ScenarioScore {
  scenarioType: 'repair' | 'timed';
  score: number;
  totalPoints: number;
  tasks: TaskScore[];
  timeLimitMinutes?: number;
  /** Epoch ms the run started (timed, once started). */
  startedAt?: number;
  /** Epoch ms the time is up (timed, once started). */
  endsAt?: number;
  /** Time is up, or every task passed: the results are final. */
  over: boolean;
  /** How long the run took: to the last pass when all passed, else to now or the time limit. */
  usedMs?: number;
}

/** The score of `lab` for one visitor, or undefined for a lesson. */
export function scenarioScore(lab: Lab, progress: readonly StepProgress[], startedAt: number | undefined, now: number): ScenarioScore | undefined {
  if (lab.type !== 'scenario') return undefined;
  const limitMs = lab.manifest.timeLimitMinutes === undefined ? undefined : lab.manifest.timeLimitMinutes * 60_000;
  const endsAt = limitMs !== undefined && startedAt !== undefined ? startedAt + limitMs : undefined;
  const passedAt = new Map(progress.filter((p) => p.lab === lab.slug && p.passedAt !== null).map((p) => [p.step, p.passedAt as number]));
  const tasks = lab.steps
    .filter((s) => s.points !== undefined)
    .map((s) => {
      const at = passedAt.get(s.number);
      return { step: s.number, title: s.title, points: s.points ?? 0, passedAt: at !== undefined && (endsAt === undefined || at <= endsAt) ? at : null };
    });
  const allPassed = tasks.length > 0 && tasks.every((t) => t.passedAt !== null);
  const timeUp = endsAt !== undefined && now >= endsAt;
  const lastPass = Math.max(0, ...tasks.map((t) => t.passedAt ?? 0));
  return {
    scenarioType: lab.manifest.type,
    score: tasks.reduce((sum, t) => sum + (t.passedAt !== null ? t.points : 0), 0),
    totalPoints: tasks.reduce((sum, t) => sum + t.points, 0),
    tasks,
    ...(lab.manifest.timeLimitMinutes !== undefined && { timeLimitMinutes: lab.manifest.timeLimitMinutes }),
    ...(startedAt !== undefined && endsAt !== undefined && { startedAt, endsAt }),
    over: allPassed || timeUp,
    ...(startedAt !== undefined && { usedMs: (allPassed ? lastPass : Math.min(now, endsAt ?? now)) - startedAt }),
  };
}

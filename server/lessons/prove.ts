// `kubelab test`: proves a lesson is sound on a real cluster. Every step's checks must fail before
// its solution runs (or Check could pass an attendee who did nothing) and pass after it, and every
// alternative solution must pass as well. The cluster sits behind LabEnvironment, so this is pure.
import type { CheckSpec } from '../checks/spec.js';
import type { Lab, Setup, Step } from './load.js';

/** What an environment says about one check. */
export interface ProofCheckResult {
  id: string;
  passed: boolean;
  message?: string;
}

/** A cluster and toolbox the prover drives; the real one is kind plus the toolbox container. */
export interface LabEnvironment {
  /** Applies manifests (relative to `lessonDir`) in order, then runs the setup script. */
  applySetup(setup: Setup, lessonDir: string): Promise<void>;
  /** Runs bash in the attendee's toolbox. */
  runScript(script: string): Promise<{ exitCode: number; output: string }>;
  /** Evaluates checks; `retry: false` asks for the state right now, ignoring `retryFor`. */
  evaluateChecks(checks: CheckSpec[], options: { retry: boolean }): Promise<ProofCheckResult[]>;
  /** Brings the cluster back to the state of a fresh lab, before lesson setup. */
  reset(): Promise<void>;
}

/** How one run of one step went. */
export interface StepProof {
  lesson: string;
  step: number;
  title: string;
  /** `solution`, or the title of the alternative that was proven. */
  solution: string;
  /** Every check failed before the solution ran (true for a step without checks). */
  failBefore: boolean;
  /** The solution exited 0 and every check passed after it. */
  passAfter: boolean;
  seconds: number;
  /** What went wrong, one sentence each; empty when the step is proven. */
  failures: string[];
}

/** The proof of one lesson: its steps, then its alternatives. */
export interface LessonProof {
  lesson: string;
  passed: boolean;
  steps: StepProof[];
}

/** Wall clock in milliseconds; injected so tests can measure time deterministically. */
export type Clock = () => number;

function tail(output: string): string {
  const lines = output.trim().split('\n');
  return lines.slice(-5).join('\n');
}

async function setUp(env: LabEnvironment, setup: Setup | undefined, dir: string): Promise<void> {
  if (setup) await env.applySetup(setup, dir);
}

/** Runs one step: setup, checks must fail, solution, checks must pass. */
async function proveStep(env: LabEnvironment, lab: Lab, step: Step, solution: { name: string; script: string | undefined }, clock: Clock): Promise<StepProof> {
  const started = clock();
  const failures: string[] = [];
  let failBefore = true;
  let passAfter = true;
  try {
    await setUp(env, step.setup, lab.dir);
    if (step.checks.length) {
      const before = await env.evaluateChecks(step.checks, { retry: false });
      for (const result of before.filter((r) => r.passed)) {
        failBefore = false;
        failures.push(`check '${result.id}' already passes before the solution ran, so it cannot tell a finished step from an unfinished one`);
      }
    }
    if (solution.script !== undefined) {
      const run = await env.runScript(solution.script);
      if (run.exitCode !== 0) {
        passAfter = false;
        failures.push(`the ${solution.name} exited with ${run.exitCode}: ${tail(run.output)}`);
      }
    }
    if (step.checks.length) {
      const after = await env.evaluateChecks(step.checks, { retry: true });
      for (const result of after.filter((r) => !r.passed)) {
        passAfter = false;
        failures.push(`check '${result.id}' still fails after the ${solution.name}${result.message ? `: ${result.message}` : ''}`);
      }
      const missing = step.checks.filter((check) => !after.some((r) => r.id === check.id));
      for (const check of missing) {
        passAfter = false;
        failures.push(`check '${check.id}' was not evaluated after the ${solution.name}`);
      }
    }
  } catch (error) {
    passAfter = false;
    failures.push(`the environment failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { lesson: lab.slug, step: step.number, title: step.title, solution: solution.name, failBefore, passAfter, seconds: (clock() - started) / 1000, failures };
}

/** Brings a fresh lab to the state just before `stepIndex` by replaying the earlier solutions. */
async function replayUntil(env: LabEnvironment, lab: Lab, stepIndex: number): Promise<string | undefined> {
  await env.reset();
  await setUp(env, lab.setup, lab.dir);
  for (const earlier of lab.steps.slice(0, stepIndex)) {
    await setUp(env, earlier.setup, lab.dir);
    if (earlier.solution === undefined) continue;
    const run = await env.runScript(earlier.solution);
    if (run.exitCode !== 0) return `replaying step ${earlier.number}'s solution exited with ${run.exitCode}: ${tail(run.output)}`;
  }
  return undefined;
}

/**
 * Proves a lesson: from a fresh lab, each step in order; then each alternative from a fresh lab
 * with the earlier steps' solutions replayed. After a failed step the later ones are not run,
 * since they would start from a state no attendee reaches.
 */
export async function proveLesson(env: LabEnvironment, lab: Lab, clock: Clock = Date.now): Promise<LessonProof> {
  const steps: StepProof[] = [];
  await env.reset();
  await setUp(env, lab.setup, lab.dir);
  let broken = false;
  for (const step of lab.steps) {
    if (broken) {
      steps.push({ lesson: lab.slug, step: step.number, title: step.title, solution: 'solution', failBefore: false, passAfter: false, seconds: 0, failures: ['not run: an earlier step failed'] });
      continue;
    }
    const proof = await proveStep(env, lab, step, { name: 'solution', script: step.solution }, clock);
    steps.push(proof);
    broken = proof.failures.length > 0;
  }
  for (const [index, step] of lab.steps.entries()) {
    for (const alternative of step.alternatives) {
      const name = `alternative '${alternative.title}'`;
      const started = clock();
      let replayProblem: string | undefined;
      try {
        replayProblem = await replayUntil(env, lab, index);
      } catch (error) {
        replayProblem = `resetting the lab failed: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (replayProblem) {
        steps.push({ lesson: lab.slug, step: step.number, title: step.title, solution: name, failBefore: false, passAfter: false, seconds: (clock() - started) / 1000, failures: [replayProblem] });
        continue;
      }
      const proof = await proveStep(env, lab, step, { name, script: alternative.solution }, clock);
      steps.push({ ...proof, seconds: (clock() - started) / 1000 });
    }
  }
  return { lesson: lab.slug, passed: steps.every((s) => s.failures.length === 0), steps };
}

/** The table `kubelab test` prints: one row per proven solution, failures below their row. */
export function formatProofTable(proofs: LessonProof[]): string {
  const header = ['lesson', 'step', 'solution', 'fail-before', 'pass-after', 'seconds'];
  const cells = (s: StepProof) => [s.lesson, String(s.step).padStart(2, '0'), s.solution, s.failBefore ? 'yes' : 'NO', s.passAfter ? 'yes' : 'NO', s.seconds.toFixed(1)];
  const rows = proofs.flatMap((proof) => proof.steps.map(cells));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w)))];
  for (const proof of proofs) {
    for (const s of proof.steps) {
      out.push(line(cells(s)));
      for (const failure of s.failures) out.push(`    ${failure}`);
    }
  }
  return out.join('\n');
}

// `kubelab test --parallel N`: proves labs on N lanes at once, each lane with its own cluster.
// Most of a proof is waiting (pods starting, rollouts), so two lanes on two cores nearly halve the
// wall time. Scheduling is longest-first (from an earlier run's timings when there are any), and a
// lane prefers labs of the cluster shape it already has, since a new shape costs a new cluster.
import { readFile } from 'node:fs/promises';
import { labClusterShape } from '../server/lessons/cluster-shape.js';
import type { Lab } from '../server/lessons/load.js';
import { type LessonProof, proveLesson } from '../server/lessons/prove.js';
import type { LabEnvironmentFactory } from './lab-environment.js';

/** Seconds a lab is expected to take, by slug. */
export type Estimates = ReadonlyMap<string, number>;

/** Reads the per-lab totals of an earlier `kubelab test` JSON file; an empty map when there is none. */
export async function readEstimates(file: string): Promise<Map<string, number>> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (!text) return new Map();
  try {
    const json = JSON.parse(text) as { lessons?: { lesson: string; steps: { seconds: number }[] }[] };
    return new Map((json.lessons ?? []).map((l) => [l.lesson, l.steps.reduce((sum, s) => sum + s.seconds, 0)]));
  } catch {
    return new Map();
  }
}

/** What a lab is expected to cost: its earlier time, else 15 s per step and alternative. */
export function estimate(lab: Lab, estimates: Estimates): number {
  return estimates.get(lab.slug) ?? 15 * lab.steps.reduce((n, s) => n + 1 + s.alternatives.length, 0);
}

/** Labs with equal keys can run one after another on the same cluster. */
export function shapeOf(lab: Lab): string {
  const { workers = 0, portMappings = [] } = labClusterShape(lab.manifest);
  return JSON.stringify([workers, portMappings]);
}

/**
 * Pure: the next lab for a lane whose cluster has `shape` (undefined before its first lab): the
 * longest remaining lab of that shape, else the longest remaining lab. Removes it from `queue`,
 * which is kept sorted longest first.
 */
export function takeNext(queue: Lab[], shape: string | undefined): Lab | undefined {
  const index = shape === undefined ? -1 : queue.findIndex((lab) => shapeOf(lab) === shape);
  return queue.splice(index === -1 ? 0 : index, 1)[0];
}

export interface ProveAllOptions {
  lanes: number;
  factory: LabEnvironmentFactory;
  estimates: Estimates;
  log: (line: string) => void;
}

/** Proves every lab; results come back in the order of `labs`, whatever order they ran in. */
export async function proveAll(labs: readonly Lab[], options: ProveAllOptions): Promise<LessonProof[]> {
  const queue = [...labs].sort((a, b) => estimate(b, options.estimates) - estimate(a, options.estimates));
  const proofs = new Map<string, LessonProof>();
  const lane = async (id: number): Promise<void> => {
    let shape: string | undefined;
    for (let lab = takeNext(queue, shape); lab; lab = takeNext(queue, shape)) {
      shape = shapeOf(lab);
      const started = Date.now();
      options.log(`[lane ${id}] proving ${lab.slug} (${lab.steps.length} steps)…`);
      let proof: LessonProof;
      try {
        const env = await options.factory(lab, id);
        try {
          proof = await proveLesson(env, lab);
        } finally {
          await env.dispose();
        }
      } catch (error) {
        // The lane's cluster could not be made or reset: this lab fails, the lane starts afresh.
        const message = error instanceof Error ? error.message : String(error);
        proof = { lesson: lab.slug, passed: false, steps: [{ lesson: lab.slug, step: 0, title: '(environment)', solution: '-', failBefore: false, passAfter: false, seconds: (Date.now() - started) / 1000, failures: [`the cluster environment failed: ${message}`] }] };
        shape = undefined;
      }
      proofs.set(lab.slug, proof);
      options.log(`[lane ${id}] ${lab.slug}: ${proof.passed ? 'proven' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  };
  const count = Math.max(1, Math.min(options.lanes, labs.length));
  await Promise.all(Array.from({ length: count }, (_, i) => lane(i)));
  return labs.map((lab) => proofs.get(lab.slug)).filter((p): p is LessonProof => p !== undefined);
}

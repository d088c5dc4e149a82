import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DisposableLabEnvironment } from '../../cli/lab-environment.js';
import { estimate, proveAll, readEstimates, shapeOf, takeNext } from '../../cli/prove-all.js';
import type { Lab } from '../../server/lessons/load.js';

/** A lab with `steps` steps on a cluster with `workers` workers; step N's solution is `N`, its check `cN`. */
function lab(slug: string, steps: number, workers = 0, ingress = false): Lab {
  return {
    type: 'lesson',
    slug,
    dir: `/labs/${slug}`,
    manifest: { title: slug, summary: 's', difficulty: 'beginner', minutes: 10, tags: [], cluster: { workers, ingress }, images: [] },
    steps: Array.from({ length: steps }, (_, i) => ({
      number: i + 1, name: `s${i + 1}`, file: `steps/0${i + 1}-s.md`, title: `step ${i + 1}`,
      checks: [{ id: `c${i + 1}`, title: 'c', kind: 'exists', resource: { kind: 'Pod', name: 'web' } }] as Lab['steps'][number]['checks'],
      solution: `${i + 1}`, alternatives: [], markdown: '', html: '', runnableBlocks: [],
    })),
  };
}

describe('scheduling', () => {
  it('estimates from earlier timings, else 15 s per step and alternative', () => {
    expect(estimate(lab('a', 4), new Map([['a', 33]]))).toBe(33);
    expect(estimate(lab('b', 4), new Map())).toBe(60);
  });

  it('ingress does not change the shape (the label is applied per lab); worker count does', () => {
    expect(shapeOf(lab('a', 1, 0, true))).toBe(shapeOf(lab('b', 1)));
    expect(shapeOf(lab('c', 1, 2))).not.toBe(shapeOf(lab('b', 1)));
  });

  it('a lane keeps its shape while labs of that shape remain, then takes the longest of any', () => {
    const queue = [lab('big', 9), lab('multi', 5, 2), lab('small', 2)];
    expect(takeNext(queue, undefined)?.slug).toBe('big');
    expect(takeNext(queue, shapeOf(lab('x', 1)))?.slug).toBe('small');
    expect(takeNext(queue, shapeOf(lab('x', 1)))?.slug).toBe('multi');
    expect(takeNext(queue, shapeOf(lab('x', 1)))).toBeUndefined();
  });

  it('reads per-lab totals from an earlier results file and shrugs at a missing or broken one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kubelab-estimates-'));
    try {
      await writeFile(path.join(dir, 'r.json'), JSON.stringify({ lessons: [{ lesson: 'pods', steps: [{ seconds: 10 }, { seconds: 2.5 }] }] }));
      await writeFile(path.join(dir, 'bad.json'), '{');
      expect(await readEstimates(path.join(dir, 'r.json'))).toEqual(new Map([['pods', 12.5]]));
      expect(await readEstimates(path.join(dir, 'bad.json'))).toEqual(new Map());
      expect(await readEstimates(path.join(dir, 'none.json'))).toEqual(new Map());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('proveAll', () => {
  /** An environment where a step's check passes once its solution ran; records which lane ran what. */
  function factory(runs: { slug: string; lane: number }[], active: { now: number; max: number }, broken = new Set<string>()) {
    return async (l: Lab, lane = 0): Promise<DisposableLabEnvironment> => {
      if (broken.has(l.slug)) throw new Error('node container died');
      runs.push({ slug: l.slug, lane });
      active.now++;
      active.max = Math.max(active.max, active.now);
      const solved = new Set<string>();
      return {
        applySetup: async () => {},
        runScript: async (script) => {
          await new Promise((r) => setTimeout(r, 5));
          solved.add(`c${script}`);
          return { exitCode: 0, output: '' };
        },
        evaluateChecks: async (checks) => checks.map((c) => ({ id: c.id, passed: solved.has(c.id) })),
        reset: async () => solved.clear(),
        dispose: async () => {
          active.now--;
        },
      };
    };
  }

  it('runs labs on several lanes at once and returns the proofs in the order of the labs', async () => {
    const runs: { slug: string; lane: number }[] = [];
    const active = { now: 0, max: 0 };
    const labs = [lab('a', 1), lab('b', 3), lab('c', 2), lab('d', 1)];
    const proofs = await proveAll(labs, { lanes: 2, factory: factory(runs, active), estimates: new Map(), log: () => {} });
    expect(proofs.map((p) => [p.lesson, p.passed])).toEqual([['a', true], ['b', true], ['c', true], ['d', true]]);
    expect(active.max).toBe(2);
    expect(new Set(runs.map((r) => r.lane))).toEqual(new Set([0, 1]));
    expect(runs.slice(0, 2).map((r) => r.slug).sort()).toEqual(['b', 'c']);
  });

  it('fails a lab whose environment cannot be made, says why, and goes on with the others', async () => {
    const lines: string[] = [];
    const proofs = await proveAll([lab('a', 1), lab('b', 1)], { lanes: 1, factory: factory([], { now: 0, max: 0 }, new Set(['a'])), estimates: new Map(), log: (l) => lines.push(l) });
    expect(proofs[0]).toMatchObject({ lesson: 'a', passed: false, steps: [{ failures: ['the cluster environment failed: node container died'] }] });
    expect(proofs[1]).toMatchObject({ lesson: 'b', passed: true });
    expect(lines.some((l) => /\[lane 0\] a: FAILED/.test(l))).toBe(true);
  });
});

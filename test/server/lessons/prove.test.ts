import { describe, expect, it } from 'vitest';
import type { CheckSpec } from '../../../server/checks/spec.js';
import type { Lab, Setup, Step } from '../../../server/lessons/load.js';
import { formatProofTable, proveLesson, type LabEnvironment, type ProofCheckResult } from '../../../server/lessons/prove.js';

/**
 * A pretend cluster: a set of resource names. Scripts are lines `create X` / `delete X` / `fail`;
 * a check with id `has-X` passes while X exists, `no-X` while it does not.
 */
class FakeEnvironment implements LabEnvironment {
  readonly log: string[] = [];
  resources = new Set<string>();

  async applySetup(setup: Setup, lessonDir: string): Promise<void> {
    this.log.push(`setup ${lessonDir} ${setup.manifests.join(',')}`);
    if (setup.script) await this.runScript(setup.script);
  }

  async runScript(script: string): Promise<{ exitCode: number; output: string }> {
    this.log.push(`run ${script}`);
    for (const line of script.split('\n')) {
      const [verb, name = ''] = line.split(' ');
      if (verb === 'create') this.resources.add(name);
      if (verb === 'delete') this.resources.delete(name);
      if (verb === 'fail') return { exitCode: 3, output: 'error: pods "web" not found' };
    }
    return { exitCode: 0, output: '' };
  }

  async evaluateChecks(checks: CheckSpec[], options: { retry: boolean }): Promise<ProofCheckResult[]> {
    this.log.push(`check ${checks.map((c) => c.id).join(',')} retry=${options.retry}`);
    return checks.map((check) => {
      const [mode, name = ''] = check.id.split(/-(.*)/);
      const present = this.resources.has(name);
      const passed = mode === 'has' ? present : !present;
      return { id: check.id, passed, ...(!passed && { message: `${name} is ${present ? 'there' : 'missing'}` }) };
    });
  }

  async reset(): Promise<void> {
    this.log.push('reset');
    this.resources.clear();
  }
}

const check = (id: string) => ({ id, title: id, kind: 'exists', resource: { kind: 'Pod', name: 'x' } }) as unknown as CheckSpec;

function step(number: number, checks: string[], solution: string | undefined, extra: Partial<Step> = {}): Step {
  return {
    number,
    name: `s${number}`,
    file: `steps/0${number}-s${number}.md`,
    title: `Step ${number}`,
    checks: checks.map(check),
    ...(solution !== undefined && { solution }),
    alternatives: [],
    markdown: '',
    html: '',
    runnableBlocks: [],
    ...extra,
  };
}

function lab(steps: Step[], setup?: Setup): Lab {
  return {
    type: 'lesson',
    slug: 'pods',
    dir: '/lessons/pods',
    manifest: { title: 'Pods', summary: 's', difficulty: 'beginner', minutes: 5, tags: [], cluster: { workers: 0, ingress: false }, images: [] },
    ...(setup && { setup }),
    steps,
  };
}

const ticking = () => {
  let now = 0;
  return () => (now += 500);
};

describe('proveLesson', () => {
  it('resets, applies lesson setup, then per step: setup, checks without retry, solution, checks with retry', async () => {
    const env = new FakeEnvironment();
    const proof = await proveLesson(
      env,
      lab([step(1, ['has-web'], 'create web', { setup: { manifests: ['ns.yaml'] } }), step(2, ['no-web'], 'delete web')], { manifests: [], script: 'create ns' }),
      ticking(),
    );
    expect(env.log).toEqual([
      'reset',
      'setup /lessons/pods ',
      'run create ns',
      'setup /lessons/pods ns.yaml',
      'check has-web retry=false',
      'run create web',
      'check has-web retry=true',
      'check no-web retry=false',
      'run delete web',
      'check no-web retry=true',
    ]);
    expect(proof.passed).toBe(true);
    expect(proof.steps.map((s) => [s.step, s.failBefore, s.passAfter, s.seconds, s.failures])).toEqual([
      [1, true, true, 0.5, []],
      [2, true, true, 0.5, []],
    ]);
  });

  it('fails the lesson when a check already passes before the solution ran', async () => {
    const env = new FakeEnvironment();
    const proof = await proveLesson(env, lab([step(1, ['no-web'], 'delete web')]));
    expect(proof.passed).toBe(false);
    expect(proof.steps[0]).toMatchObject({ failBefore: false, passAfter: true });
    expect(proof.steps[0]?.failures).toEqual(["check 'no-web' already passes before the solution ran, so it cannot tell a finished step from an unfinished one"]);
  });

  it('fails the lesson when a check still fails after the solution, quoting the check', async () => {
    const proof = await proveLesson(new FakeEnvironment(), lab([step(1, ['has-web'], 'create wbe')]));
    expect(proof.passed).toBe(false);
    expect(proof.steps[0]).toMatchObject({ failBefore: true, passAfter: false, failures: ["check 'has-web' still fails after the solution: web is missing"] });
  });

  it('fails a step whose solution exits non-zero and does not run the steps after it', async () => {
    const env = new FakeEnvironment();
    const proof = await proveLesson(env, lab([step(1, ['has-web'], 'fail'), step(2, ['no-web'], 'delete web')]));
    expect(proof.steps[0]?.failures[0]).toBe('the solution exited with 3: error: pods "web" not found');
    expect(proof.steps[1]).toMatchObject({ step: 2, passAfter: false, failures: ['not run: an earlier step failed'] });
    expect(env.log).not.toContain('run delete web');
  });

  it('proves each alternative from a fresh lab with the earlier solutions replayed', async () => {
    const env = new FakeEnvironment();
    const second = step(2, ['has-svc'], 'create svc', { alternatives: [{ title: 'with a manifest', solution: 'create svc\ncreate extra' }] });
    const proof = await proveLesson(env, lab([step(1, ['has-web'], 'create web'), second], { manifests: ['base.yaml'] }));
    expect(proof.passed).toBe(true);
    expect(env.log.slice(env.log.lastIndexOf('reset'))).toEqual([
      'reset',
      'setup /lessons/pods base.yaml',
      'run create web',
      'check has-svc retry=false',
      'run create svc\ncreate extra',
      'check has-svc retry=true',
    ]);
    expect(proof.steps.map((s) => s.solution)).toEqual(['solution', 'solution', "alternative 'with a manifest'"]);
  });

  it('reports an alternative that does not satisfy the checks', async () => {
    const alternative = step(1, ['has-web'], 'create web', { alternatives: [{ title: 'typo', solution: 'create wbe' }] });
    const proof = await proveLesson(new FakeEnvironment(), lab([alternative]));
    expect(proof.passed).toBe(false);
    expect(proof.steps[1]).toMatchObject({ solution: "alternative 'typo'", passAfter: false });
  });

  it('runs the solution of a reading step without checks and passes it', async () => {
    const env = new FakeEnvironment();
    const proof = await proveLesson(env, lab([step(1, [], 'create web')]));
    expect(proof.steps[0]).toMatchObject({ failBefore: true, passAfter: true, failures: [] });
    expect(env.log).toEqual(['reset', 'run create web']);
  });

  it('turns an environment error into a failed step instead of throwing', async () => {
    const env = new FakeEnvironment();
    env.evaluateChecks = async () => {
      throw new Error('connection refused');
    };
    const proof = await proveLesson(env, lab([step(1, ['has-web'], 'create web')]));
    expect(proof.steps[0]?.failures).toEqual(['the environment failed: connection refused']);
  });
});

describe('formatProofTable', () => {
  it('prints one aligned row per proven solution with failures beneath', () => {
    const table = formatProofTable([
      {
        lesson: 'pods',
        passed: false,
        steps: [
          { lesson: 'pods', step: 1, title: 'a', solution: 'solution', failBefore: true, passAfter: true, seconds: 2.25, failures: [] },
          { lesson: 'pods', step: 2, title: 'b', solution: 'solution', failBefore: false, passAfter: true, seconds: 1, failures: ['check x already passes'] },
        ],
      },
    ]);
    expect(table.split('\n')).toEqual([
      'lesson  step  solution  fail-before  pass-after  seconds',
      '------  ----  --------  -----------  ----------  -------',
      'pods    01    solution  yes          yes         2.3',
      'pods    02    solution  NO           yes         1.0',
      '    check x already passes',
    ]);
  });
});

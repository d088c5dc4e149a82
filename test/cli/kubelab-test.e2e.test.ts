// `kubelab test` end to end: the sample lesson proven on a real kind cluster, through the CLI.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLabEnvironmentFactory } from '../../cli/lab-environment.js';
import { runCli } from '../../cli/program.js';

describe('kubelab test on a real cluster', () => {
  it('proves the pods lesson: every check fails before its solution and passes after, alternatives too', async () => {
    const out: string[] = [];
    const json = path.join(await mkdtemp(path.join(tmpdir(), 'kubelab-test-')), 'result.json');
    const factory = await createLabEnvironmentFactory((line) => out.push(line));
    const code = await runCli(['test', 'pods', '--json', json], { cwd: process.cwd(), out: (t) => out.push(t), err: (t) => out.push(t), labEnvironmentFactory: factory });
    expect(code, out.join('\n')).toBe(0);
    const result = JSON.parse(await readFile(json, 'utf8')) as { passed: boolean; lessons: { steps: { failBefore: boolean; passAfter: boolean }[] }[] };
    expect(result.passed).toBe(true);
    const steps = result.lessons[0]?.steps ?? [];
    expect(steps.length).toBeGreaterThanOrEqual(5);
    expect(steps.every((s) => s.failBefore && s.passAfter)).toBe(true);
  });
});

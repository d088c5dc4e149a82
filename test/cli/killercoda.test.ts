import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import path from 'node:path';
import { convertKillercoda, convertKillercodaMarkdown, readKillercodaScenario } from '../../cli/killercoda.js';
import { splitFrontMatter } from '../../server/lessons/yaml-source.js';

const fixture = path.join(import.meta.dirname, 'fixtures', 'killercoda-deployments');

describe('convertKillercodaMarkdown', () => {
  it('turns a block marked {{exec}} into a bash run block and collects its command', () => {
    const result = convertKillercodaMarkdown('Run:\n\n```plain\nkubectl get pods\n```{{exec}}\n');
    expect(result.markdown).toBe('Run:\n\n```bash run\nkubectl get pods\n```\n');
    expect(result.commands).toEqual(['kubectl get pods']);
  });

  it('keeps {{copy}} blocks as plain blocks without a run attribute', () => {
    const result = convertKillercodaMarkdown('```\nls -l\n```{{copy}}\n');
    expect(result.markdown).toBe('```bash\nls -l\n```\n');
    expect(result.commands).toEqual([]);
  });

  it('maps Katacoda {{execute T2}} to the second terminal', () => {
    expect(convertKillercodaMarkdown('```\ntop\n```{{execute T2}}').markdown).toBe('```bash run terminal=2\ntop\n```');
  });

  it('keeps inline exec commands as inline code and collects them', () => {
    const result = convertKillercodaMarkdown('Try `kubectl get ns`{{exec}} and `ls`{{copy}}.');
    expect(result.markdown).toBe('Try `kubectl get ns` and `ls`.');
    expect(result.commands).toEqual(['kubectl get ns']);
  });

  it('keeps the language of a block that names one', () => {
    expect(convertKillercodaMarkdown('```yaml\nkind: Pod\n```').markdown).toBe('```yaml\nkind: Pod\n```');
  });
});

describe('readKillercodaScenario and convertKillercoda', () => {
  it('reads index.json, the pages and scripts it names, and the node count', async () => {
    const scenario = await readKillercodaScenario(fixture);
    expect(scenario).toMatchObject({ title: 'Scale a Deployment', difficulty: 'beginner', minutes: 10, workers: 1 });
    expect(scenario.steps.map((s) => s.title)).toEqual(['Create the Deployment', 'Scale it']);
    expect(scenario.steps[0]?.verify).toBe('kubectl -n shop get deployment web\n');
    expect(scenario.intro?.background).toBe('kubectl create namespace shop\n');
  });

  it('writes intro, steps and finish as numbered step files with setup, checks and solutions', async () => {
    const imported = convertKillercoda(await readKillercodaScenario(fixture));
    expect(Object.keys(imported.files).sort()).toEqual([
      'lesson.yaml',
      'steps/01-introduction.md',
      'steps/02-create-the-deployment.md',
      'steps/03-scale-it.md',
      'steps/04-finish.md',
    ]);
    const lesson = parse(imported.files['lesson.yaml']!);
    expect(lesson).toMatchObject({ title: 'Scale a Deployment', difficulty: 'beginner', minutes: 10, cluster: { workers: 1 }, setup: { script: 'kubectl create namespace shop\n' } });

    const step = splitFrontMatter(imported.files['steps/02-create-the-deployment.md']!);
    expect(parse(step.frontMatter!)).toEqual({
      title: 'Create the Deployment',
      setup: { script: 'kubectl -n shop delete deployment web --ignore-not-found\n' },
      checks: [{ id: 'verify', title: "Create the Deployment: the scenario's verify script passes", kind: 'script', run: 'kubectl -n shop get deployment web\n' }],
      solution: 'kubectl -n shop create deployment web --image=nginx:1.27\nkubectl -n shop get deploy\n',
    });
    expect(step.body).toContain('::: note\nIn the original scenario this ran in your terminal when the step opened:\n\n```bash run\nwatch kubectl -n shop get pods\n```\n:::');
    expect(step.body).toContain('```bash run\nkubectl -n shop create deployment web --image=nginx:1.27\n```');
    expect(step.body).not.toContain('{{');
    expect(imported.assets).toEqual(['assets/deployment.png']);
  });

  it('warns about a checked step that has no command to use as its solution, and makes that solution fail', () => {
    const imported = convertKillercoda({ title: 'T', description: 'd', workers: 0, steps: [{ title: 'Do it', text: 'Fix the pod.', verify: 'true' }] });
    const front = parse(splitFrontMatter(imported.files['steps/01-do-it.md']!).frontMatter!);
    expect(front.solution).toContain('exit 1');
    expect(imported.warnings).toContain('step 01 "Do it" has a verify script but no {{exec}} command to use as its solution; write one (kubelab test fails until you do)');
  });

  it('makes a step without a verify script a reading step and says so', () => {
    const imported = convertKillercoda({ title: 'T', description: '', workers: 0, steps: [{ title: 'Read', text: 'Text' }] });
    expect(parse(splitFrontMatter(imported.files['steps/01-read.md']!).frontMatter!)).toEqual({ title: 'Read' });
    expect(imported.warnings.some((w) => w.includes('reading step'))).toBe(true);
  });
});

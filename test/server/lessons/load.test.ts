import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCatalog, loadLesson } from '../../../server/lessons/load.js';
import { formatProblem } from '../../../server/lessons/problems.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const temporary: string[] = [];

/** Writes files (path → content) below a fresh temporary content root and returns the root. */
async function contentRoot(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'kubelab-lessons-'));
  temporary.push(root);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
  return root;
}

afterEach(async () => {
  await Promise.all(temporary.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const lessonYaml = 'title: Demo\nsummary: A demo.\ndifficulty: beginner\nminutes: 5\n';
const checkedStep = (extra = '') =>
  `---\ntitle: First\nchecks:\n  - id: web\n    title: Pod web exists\n    kind: exists\n    resource: { kind: Pod, name: web }\nsolution: kubectl run web --image=nginx:1.27\n${extra}---\n\nRun it.\n`;

/** Problems of the lab at `lessons/demo`, formatted, with files relative to the lesson folder. */
async function problemsOf(files: Record<string, string>, dir = 'lessons/demo'): Promise<string[]> {
  const root = await contentRoot(files);
  const load = await loadLesson(path.join(root, dir), { relativeTo: path.join(root, dir) });
  return load.problems.map(formatProblem);
}

describe('loadLesson', () => {
  it('loads the sample pods lesson with its five steps in order and no problems', async () => {
    const load = await loadLesson(path.join(repoRoot, 'lessons/pods'));
    expect(load.problems).toEqual([]);
    expect(load.lab?.type).toBe('lesson');
    expect(load.lab?.slug).toBe('pods');
    expect(load.lab?.manifest.images).toEqual(['nginx:1.27', 'busybox:1.36']);
    expect(load.lab?.steps.map((s) => s.file)).toEqual([
      'lessons/pods/steps/01-run-a-pod.md',
      'lessons/pods/steps/02-describe-and-logs.md',
      'lessons/pods/steps/03-exec-into-it.md',
      'lessons/pods/steps/04-labels.md',
      'lessons/pods/steps/05-delete.md',
    ]);
    const first = load.lab?.steps[0];
    expect(first?.checks.map((c) => c.id)).toEqual(['web-exists', 'web-image', 'web-running']);
    expect(first?.alternatives.map((a) => a.title)).toEqual(['Apply a manifest instead of kubectl run']);
    expect(first?.runnableBlocks[0]).toMatchObject({ command: 'kubectl run web --image=nginx:1.27', line: 59 });
    expect(first?.html).toContain('class="code-run"');
  });

  it('points at the line and column of a misspelt check kind in the front matter, with the valid kinds', async () => {
    const step = '---\ntitle: Logs\nchecks:\n  - id: web\n    title: Pod web exists\n    resource: { kind: Pod, name: web }\n    kind: feild\nsolution: "true"\n---\n';
    const problems = await problemsOf({ 'lessons/demo/lesson.yaml': lessonYaml, 'lessons/demo/steps/01-first.md': checkedStep(), 'lessons/demo/steps/02-logs.md': step });
    expect(problems).toEqual([
      "steps/02-logs.md:7:5: checks[0].kind: unknown kind 'feild' (did you mean 'field'?); use one of exists, absent, field, count, condition, rollout, can, http, script",
    ]);
  });

  it('reports lesson.yaml schema problems at their positions with how to fix them', async () => {
    const yaml = 'title: Demo\nsumary: typo\ndifficulty: expert\nminutes: 5\ncluster:\n  workers: 7\nimages: [nginx]\n';
    expect(await problemsOf({ 'lessons/demo/lesson.yaml': yaml, 'lessons/demo/steps/01-first.md': checkedStep() })).toEqual([
      'lesson.yaml:1:1: summary: missing; add it (expected string)',
      "lesson.yaml:3:1: difficulty: 'expert' is not allowed; use one of beginner, intermediate, advanced",
      'lesson.yaml:6:3: cluster.workers: Too big: expected number to be <=3',
      'lesson.yaml:7:10: images[0]: write an image with a tag, like nginx:1.27',
      "lesson.yaml:2:1: sumary: unknown field 'sumary'; check its spelling or remove it",
    ]);
  });

  it('reports problems in lesson.yaml and in the steps in one run', async () => {
    const step = checkedStep().replace('title: First', 'titel: First');
    expect(await problemsOf({ 'lessons/demo/lesson.yaml': 'title: Demo\n', 'lessons/demo/steps/01-first.md': step })).toEqual([
      'lesson.yaml:1:1: summary: missing; add it (expected string)',
      'lesson.yaml:1:1: difficulty: missing; add one of beginner, intermediate, advanced',
      'lesson.yaml:1:1: minutes: missing; add it (expected number)',
      'steps/01-first.md:2:1: title: missing; add it (expected string)',
      "steps/01-first.md:2:1: titel: unknown field 'titel'; check its spelling or remove it",
    ]);
  });

  it('asks for a first step when steps/ holds none', async () => {
    expect(await problemsOf({ 'lessons/demo/lesson.yaml': lessonYaml, 'lessons/demo/steps/notes.txt': 'x' })).toEqual([
      'lesson.yaml:1:1: steps/ holds no NN-name.md files; add steps/01-first-step.md',
    ]);
  });

  it('refuses files that do not exist or lie outside the lesson folder', async () => {
    const yaml = `${lessonYaml}setup:\n  manifests:\n    - manifests/missing.yaml\n    - ../other/secret.yaml\n    - /etc/passwd\n    - link.yaml\n`;
    const root = await contentRoot({ 'lessons/demo/lesson.yaml': yaml, 'lessons/demo/steps/01-first.md': checkedStep(), 'outside.yaml': 'x: 1\n' });
    await symlink(path.join(root, 'outside.yaml'), path.join(root, 'lessons/demo/link.yaml'));
    const load = await loadLesson(path.join(root, 'lessons/demo'));
    expect(load.problems.map(formatProblem)).toEqual([
      "lessons/demo/lesson.yaml:7:7: 'manifests/missing.yaml' does not exist in the lesson folder; create it or fix the name",
      "lessons/demo/lesson.yaml:8:7: '../other/secret.yaml' leaves the lesson folder; move the file into the lesson folder and name it from there",
      "lessons/demo/lesson.yaml:9:7: '/etc/passwd' is an absolute path; name the file relative to the lesson folder",
      "lessons/demo/lesson.yaml:10:7: 'link.yaml' is a symlink out of the lesson folder; copy the file into the lesson instead",
    ]);
  });

  it('reads a setup script file into the step and keeps manifests as lesson paths', async () => {
    const root = await contentRoot({
      'lessons/demo/lesson.yaml': `${lessonYaml}setup:\n  manifests: [m/ns.yaml]\n  script: { file: scripts/setup.sh }\n`,
      'lessons/demo/m/ns.yaml': 'kind: Namespace\n',
      'lessons/demo/scripts/setup.sh': 'kubectl get ns\n',
      'lessons/demo/steps/01-first.md': checkedStep(),
    });
    const load = await loadLesson(path.join(root, 'lessons/demo'));
    expect(load.problems).toEqual([]);
    expect(load.lab?.setup).toEqual({ manifests: ['m/ns.yaml'], script: 'kubectl get ns\n' });
  });

  it('reports gaps, duplicate numbers and badly named step files', async () => {
    expect(
      await problemsOf({
        'lessons/demo/lesson.yaml': lessonYaml,
        'lessons/demo/steps/01-first.md': checkedStep(),
        'lessons/demo/steps/01-again.md': checkedStep(),
        'lessons/demo/steps/03-third.md': checkedStep(),
        'lessons/demo/steps/Fourth.md': checkedStep(),
      }),
    ).toEqual([
      "steps/Fourth.md:1:1: step file name 'Fourth.md' does not look like NN-name.md; rename it, e.g. 01-run-a-pod.md",
      'steps/01-first.md:1:1: step number 01 is also used by steps/01-again.md; give each step its own number',
      'steps/03-third.md:1:1: steps must be numbered from 01 without gaps; expected 02 here, renumber the files',
    ]);
  });

  it('requires unique check ids, a solution for checks, and no points in a lesson', async () => {
    const step = '---\ntitle: T\nchecks:\n  - id: a\n    title: A\n    kind: exists\n    resource: { kind: Pod, name: a }\n  - id: a\n    title: B\n    kind: absent\n    resource: { kind: Pod, name: a }\npoints: 5\n---\n';
    expect(await problemsOf({ 'lessons/demo/lesson.yaml': lessonYaml, 'lessons/demo/steps/01-t.md': step })).toEqual([
      "steps/01-t.md:8:5: checks[1].id: 'a' is used twice in this step; give each check its own id",
      'steps/01-t.md:3:1: checks: a step with checks needs a solution, so kubelab test can prove the checks can pass; add solution',
      'steps/01-t.md:12:1: points: only scenarios are scored; remove points or make this a scenario',
    ]);
  });

  it('maps markdown problems to the line of the step file, after the front matter', async () => {
    const step = `${checkedStep()}\n::: hnit\nx\n:::\n\n![x](https://tracker.example/p.png)\n\n![y](images/missing.png)\n`;
    expect(await problemsOf({ 'lessons/demo/lesson.yaml': lessonYaml, 'lessons/demo/steps/01-first.md': step })).toEqual([
      "steps/01-first.md:13:1: unknown container '::: hnit'; use one of hint, solution, note, tip, warning, danger",
      "steps/01-first.md:17:1: image 'https://tracker.example/p.png' is remote; copy it into the lesson folder (e.g. images/) so attendees are not tracked and offline workshops work",
      "steps/01-first.md:19:1: image 'images/missing.png' does not exist in the lesson folder; create it or fix the name",
    ]);
  });

  it('reports a step without front matter and a folder without lesson.yaml', async () => {
    expect(await problemsOf({ 'lessons/demo/lesson.yaml': lessonYaml, 'lessons/demo/steps/01-first.md': '# Only markdown\n' })).toEqual([
      'steps/01-first.md:1:1: the step starts without front matter; begin it with a line ---, then title: …, then ---',
    ]);
    expect(await problemsOf({ 'lessons/demo/steps/01-first.md': checkedStep() })).toEqual([
      '.:1:1: the folder holds neither lesson.yaml nor scenario.yaml; run kubelab new lesson <slug> to start one',
    ]);
  });

  it('checks that slug matches the folder and that min is not above max', async () => {
    const yaml = `${lessonYaml}slug: other\nkubernetes: { min: "1.32", max: "1.30" }\n`;
    expect(await problemsOf({ 'lessons/demo/lesson.yaml': yaml, 'lessons/demo/steps/01-first.md': checkedStep() })).toEqual([
      "lesson.yaml:5:1: slug: 'other' does not match the folder name 'demo'; rename one of them or remove slug",
      'lesson.yaml:6:28: kubernetes: max 1.30 is below min 1.32; swap them',
    ]);
  });

  it('requires points and checks on every scenario task and a limit on timed scenarios', async () => {
    const scenario = `${lessonYaml}type: timed\n`;
    const problems = await problemsOf({ 'scenarios/demo/scenario.yaml': scenario, 'scenarios/demo/steps/01-first.md': checkedStep(), 'scenarios/demo/steps/02-read.md': '---\ntitle: R\npoints: 5\n---\n' }, 'scenarios/demo');
    expect(problems).toEqual([
      'scenario.yaml:5:1: type: a timed scenario needs timeLimitMinutes; add it',
      'steps/01-first.md:2:1: a scenario task needs points; add points: 10',
      'steps/02-read.md:2:1: a scenario task needs checks to score it; add checks',
    ]);
  });

  it('loads a valid scenario with its points', async () => {
    const root = await contentRoot({ 'scenarios/fix-it/scenario.yaml': `${lessonYaml}type: repair\n`, 'scenarios/fix-it/steps/01-first.md': checkedStep('points: 20\n') });
    const load = await loadLesson(path.join(root, 'scenarios/fix-it'));
    expect(load.problems).toEqual([]);
    expect(load.lab?.type).toBe('scenario');
    expect(load.lab?.steps[0]?.points).toBe(20);
  });
});

describe('loadCatalog', () => {
  it('serves the good lessons and reports and skips a broken one', async () => {
    const root = await contentRoot({
      'lessons/good/lesson.yaml': lessonYaml,
      'lessons/good/steps/01-first.md': checkedStep(),
      'lessons/broken/lesson.yaml': 'title: [unclosed\n',
      'lessons/broken/steps/01-first.md': checkedStep(),
      'scenarios/quest/scenario.yaml': `${lessonYaml}type: repair\n`,
      'scenarios/quest/steps/01-first.md': checkedStep('points: 5\n'),
    });
    const catalog = await loadCatalog(root);
    expect(catalog.lessons.map((l) => l.slug)).toEqual(['good']);
    expect(catalog.scenarios.map((l) => l.slug)).toEqual(['quest']);
    expect(catalog.problems).toHaveLength(1);
    expect(catalog.problems[0]).toMatchObject({ file: 'lessons/broken/lesson.yaml', line: 2 });
  });

  it('orders labs by order where given, then by title', async () => {
    const lab = (title: string, order?: number) => ({
      [`lessons/${title.toLowerCase()}/lesson.yaml`]: lessonYaml.replace('Demo', title) + (order === undefined ? '' : `order: ${order}\n`),
      [`lessons/${title.toLowerCase()}/steps/01-first.md`]: checkedStep(),
    });
    const root = await contentRoot({ ...lab('Alpha'), ...lab('Zulu', 1), ...lab('Beta'), ...lab('Mike', 2) });
    expect((await loadCatalog(root)).lessons.map((l) => l.slug)).toEqual(['zulu', 'mike', 'alpha', 'beta']);
  });

  it('refuses a scenario placed among the lessons', async () => {
    const root = await contentRoot({ 'lessons/quest/scenario.yaml': `${lessonYaml}type: repair\n`, 'lessons/quest/steps/01-first.md': checkedStep('points: 5\n') });
    const catalog = await loadCatalog(root);
    expect(catalog.lessons).toEqual([]);
    expect(catalog.problems.map(formatProblem)).toEqual(['lessons/quest:1:1: a scenario inside lessons/; move it to scenarios/']);
  });
});

import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliDeps } from '../../cli/program.js';
import type { DisposableLabEnvironment } from '../../cli/lab-environment.js';
import { lessonJsonSchemaFiles } from '../../server/lessons/json-schema.js';
import type { Lab } from '../../server/lessons/load.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const temporary: string[] = [];

async function workspace(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kubelab-cli-'));
  temporary.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(temporary.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function cli(cwd: string, extra: Partial<CliDeps> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const deps: CliDeps = { cwd, out: (t) => out.push(t), err: (t) => err.push(t), ...extra };
  return { run: (...argv: string[]) => runCli(argv, deps), out, err };
}

describe('kubelab lint', () => {
  // Reads and renders every lab of the curriculum (26 and growing): give it more than the unit default.
  it('accepts every lesson and scenario of the repository', async () => {
    const { run, out, err } = cli(repoRoot);
    expect(await run('lint')).toBe(0);
    expect(err).toEqual([]);
    expect(out.at(-1)).toMatch(/^(\d+) lab\(s\) valid, 0 problem\(s\)$/);
    expect(Number(/^(\d+)/.exec(out.at(-1) ?? '')?.[1])).toBeGreaterThanOrEqual(26);
  }, 60_000);

  it('prints file:line:column problems relative to the working folder and exits 1', async () => {
    const cwd = await workspace();
    await cp(path.join(repoRoot, 'lessons/pods'), path.join(cwd, 'lessons/pods'), { recursive: true });
    const file = path.join(cwd, 'lessons/pods/lesson.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('difficulty: beginner', 'difficulty: easy'));
    const { run, err } = cli(cwd);
    expect(await run('lint', 'lessons/pods')).toBe(1);
    expect(err).toEqual(["lessons/pods/lesson.yaml:6:1: difficulty: 'easy' is not allowed; use one of beginner, intermediate, advanced"]);
  });

  it('says so when the path does not exist', async () => {
    const { run, err } = cli(await workspace());
    expect(await run('lint', 'nowhere')).toBe(1);
    expect(err[0]).toBe('nowhere:1:1: no such folder; name a lesson folder or a folder holding lessons/ and scenarios/');
  });
});

describe('kubelab new', () => {
  it.each(['lesson', 'scenario'])('scaffolds a %s that passes lint', async (type) => {
    const cwd = await workspace();
    const { run, out, err } = cli(cwd);
    expect(await run('new', type, 'rolling-updates')).toBe(0);
    expect(out[0]).toBe(`created ${type}s/rolling-updates; edit it, then run kubelab lint ${type}s/rolling-updates`);
    expect(await run('lint')).toBe(0);
    expect(err).toEqual([]);
    expect(out.at(-1)).toBe('1 lab(s) valid, 0 problem(s)');
    const manifest = await readFile(path.join(cwd, `${type}s/rolling-updates/${type}.yaml`), 'utf8');
    expect(manifest).toContain('title: Rolling updates');
  });

  it('refuses a name that is not a slug and an existing folder', async () => {
    const cwd = await workspace();
    const { run, err } = cli(cwd);
    expect(await run('new', 'lesson', 'Bad Name')).toBe(2);
    expect(await run('new', 'lesson', 'ok')).toBe(0);
    expect(await run('new', 'lesson', 'ok')).toBe(2);
    expect(err).toEqual([
      "'Bad Name' is not a slug; use lower-case words joined by dashes, e.g. rolling-updates",
      'lessons/ok already exists; choose another slug or remove the folder',
    ]);
  });
});

describe('kubelab import killercoda', () => {
  it('converts the fixture scenario into a lesson that passes lint and copies its images', async () => {
    const cwd = await workspace();
    const { run, out, err } = cli(cwd);
    const fixture = path.join(repoRoot, 'test/cli/fixtures/killercoda-deployments');
    expect(await run('import', 'killercoda', fixture, '--out', 'lessons/scale-a-deployment')).toBe(0);
    expect(out).toEqual(['imported 5 file(s) into lessons/scale-a-deployment', '1 lab(s) valid, 0 problem(s)']);
    expect(err).toEqual([]);
    expect(await readFile(path.join(cwd, 'lessons/scale-a-deployment/assets/deployment.png'), 'utf8')).toBe('PNG');
  });

  it('explains a folder without index.json and exits 2', async () => {
    const cwd = await workspace();
    const { run, err } = cli(cwd);
    expect(await run('import', 'killercoda', 'missing')).toBe(2);
    expect(err[0]).toMatch(/^cannot read .*missing\/index\.json: .*; point the import at a Killercoda scenario folder$/);
  });
});

describe('kubelab test', () => {
  it('says plainly that no cluster environment is available and exits 2', async () => {
    const { run, err } = cli(repoRoot);
    expect(await run('test', 'pods')).toBe(2);
    expect(err).toEqual(['no cluster environment is available: this build of kubelab has no LabEnvironment wired into cli/lab-environment.ts, so nothing was tested']);
  });

  it('asks for lessons or --all', async () => {
    const { run, err } = cli(repoRoot);
    expect(await run('test')).toBe(2);
    expect(err).toEqual(['name the lessons to test (slugs or folders), or pass --all']);
  });

  it('proves lessons with the injected environment, prints the table and writes JSON', async () => {
    const cwd = await workspace();
    await cp(path.join(repoRoot, 'lessons/pods'), path.join(cwd, 'lessons/pods'), { recursive: true });
    const created: string[] = [];
    const disposed: string[] = [];
    // An environment in which nothing is ever satisfied: every check fails before and after.
    const factory = async (lab: Lab): Promise<DisposableLabEnvironment> => {
      created.push(lab.slug);
      return {
        applySetup: async () => {},
        runScript: async () => ({ exitCode: 0, output: '' }),
        evaluateChecks: async (checks) => checks.map((c) => ({ id: c.id, passed: false, message: 'not there' })),
        reset: async () => {},
        dispose: async () => {
          disposed.push(lab.slug);
        },
      };
    };
    const { run, out } = cli(cwd, { labEnvironmentFactory: factory });
    expect(await run('test', 'pods', '--json', 'out/result.json')).toBe(1);
    expect(created).toEqual(['pods']);
    expect(disposed).toEqual(['pods']);
    expect(out.join('\n')).toContain("check 'web-exists' still fails after the solution: not there");
    const json = JSON.parse(await readFile(path.join(cwd, 'out/result.json'), 'utf8')) as { passed: boolean; lessons: { lesson: string }[] };
    expect(json.passed).toBe(false);
    expect(json.lessons.map((l) => l.lesson)).toEqual(['pods']);
  });

  it('does not prove a lesson that fails lint', async () => {
    const cwd = await workspace();
    await mkdir(path.join(cwd, 'lessons/broken/steps'), { recursive: true });
    await writeFile(path.join(cwd, 'lessons/broken/lesson.yaml'), 'title: x\n');
    const { run, err } = cli(cwd, { labEnvironmentFactory: async () => expect.unreachable() });
    expect(await run('test', '--all')).toBe(1);
    expect(err.at(-1)).toBe('fix the problems above first: kubelab test only proves lessons that pass lint');
  });
});

describe('kubelab schema', () => {
  it('writes the JSON Schema files that are committed in schema/, which are up to date', async () => {
    for (const [file, content] of Object.entries(lessonJsonSchemaFiles())) {
      expect(await readFile(path.join(repoRoot, 'schema', file), 'utf8'), `schema/${file} is stale; run npx kubelab schema`).toBe(content);
    }
    const cwd = await workspace();
    const { run } = cli(cwd);
    expect(await run('schema', '--out', 'editors')).toBe(0);
    expect(JSON.parse(await readFile(path.join(cwd, 'editors/lesson.schema.json'), 'utf8'))).toMatchObject({ type: 'object', required: expect.arrayContaining(['title', 'summary']) });
  });
});

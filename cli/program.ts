// The `kubelab` command line for lesson authors: lint, new, import, test, schema. Everything it
// touches is injected (working folder, output, cluster factory), so tests run it in-process.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { lessonJsonSchemaFiles } from '../server/lessons/json-schema.js';
import { formatProblem } from '../server/lessons/problems.js';
import { formatProofTable, type LessonProof } from '../server/lessons/prove.js';
import { importKillercoda, ImportError } from './killercoda.js';
import type { LabEnvironmentFactory } from './lab-environment.js';
import { proveAll, readEstimates } from './prove-all.js';
import { lintPaths } from './lint.js';
import { scaffoldLab } from './scaffold.js';
import { SLUG_PATTERN } from '../server/lessons/schema.js';

/** What the CLI needs from the world. */
export interface CliDeps {
  cwd: string;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Creates clusters for `kubelab test`; without one, `kubelab test` says so and exits 2. */
  labEnvironmentFactory?: LabEnvironmentFactory | undefined;
}

/** Exit codes: 0 fine, 1 the content has problems, 2 the command could not run. */
export const EXIT = { ok: 0, problems: 1, unusable: 2 } as const;

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
}

async function lint(deps: CliDeps, paths: string[]): Promise<number> {
  const result = await lintPaths(paths, deps.cwd);
  for (const problem of result.problems) deps.err(formatProblem(problem));
  const count = result.problems.length;
  deps.out(`${result.labs.length} lab(s) valid, ${count} problem(s)`);
  return count ? EXIT.problems : EXIT.ok;
}

async function create(deps: CliDeps, type: 'lesson' | 'scenario', slug: string, root: string): Promise<number> {
  if (!SLUG_PATTERN.test(slug)) {
    deps.err(`'${slug}' is not a slug; use lower-case words joined by dashes, e.g. rolling-updates`);
    return EXIT.unusable;
  }
  const dir = path.resolve(deps.cwd, root, `${type}s`, slug);
  if (await stat(dir).then(() => true, () => false)) {
    deps.err(`${path.relative(deps.cwd, dir)} already exists; choose another slug or remove the folder`);
    return EXIT.unusable;
  }
  await writeFiles(dir, scaffoldLab(type, slug));
  deps.out(`created ${path.relative(deps.cwd, dir)}; edit it, then run kubelab lint ${path.relative(deps.cwd, dir)}`);
  return EXIT.ok;
}

async function importScenario(deps: CliDeps, source: string, out: string | undefined): Promise<number> {
  const sourceDir = path.resolve(deps.cwd, source);
  const slug = path.basename(sourceDir).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const outDir = path.resolve(deps.cwd, out ?? path.join('lessons', slug));
  try {
    const imported = await importKillercoda(sourceDir, outDir);
    for (const warning of imported.warnings) deps.err(`warning: ${warning}`);
    deps.out(`imported ${Object.keys(imported.files).length} file(s) into ${path.relative(deps.cwd, outDir)}`);
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    deps.err(error.message);
    return EXIT.unusable;
  }
  return lint(deps, [path.relative(deps.cwd, outDir) || '.']);
}

/** Timings of the last curriculum run committed to the repo: the schedule's estimates on a clean checkout. */
const COMMITTED_TIMINGS = 'docs/figures/kubelab-test.json';

async function prove(deps: CliDeps, names: string[], options: { all?: boolean; json?: string; parallel?: string }): Promise<number> {
  const lanes = Number(options.parallel ?? '1');
  if (!Number.isInteger(lanes) || lanes < 1 || lanes > 8) {
    deps.err(`--parallel ${options.parallel}: give a whole number of clusters from 1 to 8`);
    return EXIT.unusable;
  }
  if (!names.length && !options.all) {
    deps.err('name the lessons to test (slugs or folders), or pass --all');
    return EXIT.unusable;
  }
  const wanted = options.all ? ['.'] : await Promise.all(names.map((name) => resolveLab(deps.cwd, name)));
  const { labs, problems } = await lintPaths(wanted, deps.cwd);
  for (const problem of problems) deps.err(formatProblem(problem));
  if (problems.length) {
    deps.err('fix the problems above first: kubelab test only proves lessons that pass lint');
    return EXIT.problems;
  }
  if (!deps.labEnvironmentFactory) {
    deps.err('no cluster environment is available: this build of kubelab has no LabEnvironment wired into cli/lab-environment.ts, so nothing was tested');
    return EXIT.unusable;
  }
  const jsonFile = path.resolve(deps.cwd, options.json ?? 'test-results/kubelab-test.json');
  let estimates = await readEstimates(jsonFile);
  if (!estimates.size) estimates = await readEstimates(path.resolve(deps.cwd, COMMITTED_TIMINGS));
  const started = Date.now();
  let proofs: LessonProof[];
  try {
    proofs = await proveAll(labs, { lanes, factory: deps.labEnvironmentFactory, estimates, log: deps.out });
  } finally {
    await deps.labEnvironmentFactory.close?.();
  }
  deps.out(formatProofTable(proofs));
  await mkdir(path.dirname(jsonFile), { recursive: true });
  const passed = proofs.every((p) => p.passed);
  const wallSeconds = Math.round((Date.now() - started) / 100) / 10;
  await writeFile(jsonFile, `${JSON.stringify({ passed, lanes, wallSeconds, lessons: proofs }, null, 2)}\n`);
  const failed = proofs.filter((p) => !p.passed).map((p) => p.lesson);
  deps.out(`${failed.length ? `${failed.length} of ${proofs.length} lab(s) failed: ${failed.join(', ')}` : `all ${proofs.length} lab(s) proven`} in ${wallSeconds} s on ${lanes} cluster lane(s); results in ${path.relative(deps.cwd, jsonFile)}`);
  return passed ? EXIT.ok : EXIT.problems;
}

async function resolveLab(cwd: string, name: string): Promise<string> {
  for (const candidate of [name, path.join('lessons', name), path.join('scenarios', name)]) {
    if (await stat(path.resolve(cwd, candidate)).then((s) => s.isDirectory(), () => false)) return candidate;
  }
  return name;
}

/** Runs `kubelab` with `argv` (without node and script) and resolves to the exit code. */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('kubelab')
    .description('Author, check and prove kubelab lessons and scenarios.')
    .exitOverride()
    .configureOutput({ writeOut: (text) => deps.out(text.trimEnd()), writeErr: (text) => deps.err(text.trimEnd()) });

  program
    .command('lint')
    .description('validate lessons and scenarios (default: lessons/ and scenarios/ here)')
    .argument('[paths...]', 'lesson folders, folders of lessons, or content roots')
    .action(async (paths: string[]) => {
      exitCode = await lint(deps, paths);
    });

  program
    .command('new')
    .description('scaffold a lesson or scenario that passes lint')
    .argument('<type>', 'lesson or scenario')
    .argument('<slug>', 'folder name, e.g. rolling-updates')
    .option('--root <dir>', 'content root holding lessons/ and scenarios/', '.')
    .action(async (type: string, slug: string, options: { root: string }) => {
      if (type !== 'lesson' && type !== 'scenario') {
        deps.err(`'${type}' is not something kubelab can create; use kubelab new lesson <slug> or kubelab new scenario <slug>`);
        exitCode = EXIT.unusable;
        return;
      }
      exitCode = await create(deps, type, slug, options.root);
    });

  program
    .command('import')
    .description('convert a lesson from another platform')
    .argument('<platform>', 'killercoda (also reads Katacoda scenarios)')
    .argument('<dir>', 'the scenario folder holding index.json')
    .option('--out <dir>', 'lesson folder to create (default: lessons/<folder name>)')
    .action(async (platform: string, dir: string, options: { out?: string }) => {
      if (platform !== 'killercoda') {
        deps.err(`kubelab cannot import from '${platform}'; it imports killercoda scenario folders`);
        exitCode = EXIT.unusable;
        return;
      }
      exitCode = await importScenario(deps, dir, options.out);
    });

  program
    .command('test')
    .description('prove lessons on a real cluster: checks fail before each solution and pass after it')
    .argument('[lessons...]', 'lesson slugs or folders')
    .option('--all', 'every lesson and scenario under lessons/ and scenarios/')
    .option('--json <file>', 'where to write the results', 'test-results/kubelab-test.json')
    .option('--parallel <n>', 'prove on n clusters at once (lanes), longest labs first', '1')
    .action(async (names: string[], options: { all?: boolean; json?: string; parallel?: string }) => {
      exitCode = await prove(deps, names, options);
    });

  program
    .command('schema')
    .description('write the JSON Schema files editors use to validate lesson files')
    .option('--out <dir>', 'folder to write to', 'schema')
    .action(async (options: { out: string }) => {
      const dir = path.resolve(deps.cwd, options.out);
      await writeFiles(dir, lessonJsonSchemaFiles());
      deps.out(`wrote ${Object.keys(lessonJsonSchemaFiles()).join(', ')} to ${path.relative(deps.cwd, dir) || '.'}`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.unusable;
    throw error;
  }
  return exitCode;
}

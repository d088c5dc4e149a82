// Reads lessons and scenarios from disk into typed labs, collecting every problem with its
// file:line:column. A malformed lab is reported and skipped; it never takes the catalog down.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CheckSpec } from '../checks/spec.js';
import { resolveLessonFile } from './lesson-paths.js';
import { WORKSPACE_FOLDER, readWorkspace, workspaceTarball } from './workspace.js';
import type { LessonProblem } from './problems.js';
import { renderStep, type RunnableBlock } from './render.js';
import {
  SLUG_PATTERN,
  STEP_FILE_PATTERN,
  lessonManifestSchema,
  scenarioManifestSchema,
  stepFrontMatterSchema,
  type LessonManifest,
  type ScenarioManifest,
  type Script,
  type SetupSpec,
} from './schema.js';
import { parseYamlSource, splitFrontMatter, validateSource, type YamlSource } from './yaml-source.js';

/** Setup with script files read: manifests stay lesson-relative paths, the script is bash text. */
export interface Setup {
  manifests: string[];
  script?: string;
  /** Lab-level setup only: the lab's workspace/ folder as a gzipped tarball, unpacked into the toolbox's home first. */
  workspace?: Buffer;
}

/** One step, ready for the page, the check engine and `kubelab test`. */
export interface Step {
  /** NN from the file name, from 1. */
  number: number;
  /** File name without NN and `.md`, e.g. `logs`. */
  name: string;
  /** Path as problems report it. */
  file: string;
  title: string;
  setup?: Setup;
  checks: CheckSpec[];
  solution?: string;
  alternatives: { title: string; solution: string }[];
  points?: number;
  markdown: string;
  html: string;
  runnableBlocks: RunnableBlock[];
}

/** A loaded lesson or scenario. */
export type Lab =
  | { type: 'lesson'; slug: string; dir: string; manifest: LessonManifest; setup?: Setup; steps: Step[] }
  | { type: 'scenario'; slug: string; dir: string; manifest: ScenarioManifest; setup?: Setup; steps: Step[] };

/** How a load reports file names. */
export interface LoadOptions {
  /** Problems name files relative to this folder; defaults to the lab folder's grandparent (`lessons/pods/…`). */
  relativeTo?: string;
}

/** A lab, when it has no problems, and its problems. */
export interface LabLoad {
  lab?: Lab;
  problems: LessonProblem[];
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff) return diff;
  }
  return 0;
}

/** Collects problems for one lab while reading its files. */
class LabReader {
  readonly problems: LessonProblem[] = [];
  constructor(
    readonly dir: string,
    readonly relativeTo: string,
  ) {}

  name(file: string): string {
    return path.relative(this.relativeTo, path.join(this.dir, file)).split(path.sep).join('/') || '.';
  }

  report(source: YamlSource, at: readonly PropertyKey[], message: string): void {
    this.problems.push({ file: source.file, ...source.locate(at), message });
  }

  async script(script: Script, source: YamlSource, at: readonly PropertyKey[]): Promise<string | undefined> {
    if (typeof script === 'string') return script;
    const resolved = await resolveLessonFile(this.dir, script.file);
    if ('refused' in resolved) {
      this.report(source, [...at, 'file'], `${resolved.refused}`);
      return undefined;
    }
    return readFile(resolved.path, 'utf8');
  }

  async setup(spec: SetupSpec | undefined, source: YamlSource, at: readonly PropertyKey[]): Promise<Setup | undefined> {
    if (!spec) return undefined;
    const manifests = spec.manifests ?? [];
    for (const [index, manifest] of manifests.entries()) {
      const resolved = await resolveLessonFile(this.dir, manifest);
      if ('refused' in resolved) this.report(source, [...at, 'manifests', index], `${resolved.refused}`);
    }
    const script = spec.script === undefined ? undefined : await this.script(spec.script, source, [...at, 'script']);
    return { manifests, ...(script !== undefined && { script }) };
  }
}

async function readManifest(reader: LabReader, type: Lab['type']) {
  const fileName = `${type}.yaml`;
  const source = parseYamlSource(await readFile(path.join(reader.dir, fileName), 'utf8'), reader.name(fileName));
  const schema = type === 'lesson' ? lessonManifestSchema : scenarioManifestSchema;
  const { value, problems } = validateSource<LessonManifest | ScenarioManifest>(schema, source);
  reader.problems.push(...problems);
  if (!value) return { source };
  const slug = path.basename(reader.dir);
  if (value.slug !== undefined && value.slug !== slug) {
    reader.report(source, ['slug'], `slug: '${value.slug}' does not match the folder name '${slug}'; rename one of them or remove slug`);
  }
  const { min, max } = value.kubernetes ?? {};
  if (min && max && compareVersions(min, max) > 0) {
    reader.report(source, ['kubernetes', 'max'], `kubernetes: max ${max} is below min ${min}; swap them`);
  }
  if ('type' in value && value.type === 'timed' && value.timeLimitMinutes === undefined) {
    reader.report(source, ['type'], 'type: a timed scenario needs timeLimitMinutes; add it');
  }
  const setup = await reader.setup(value.setup, source, ['setup']);
  return { manifest: value, source, setup };
}

async function stepFiles(reader: LabReader, manifestSource: YamlSource): Promise<{ number: number; name: string; file: string }[]> {
  const names = await readdir(path.join(reader.dir, 'steps')).catch(() => undefined);
  if (!names) {
    reader.report(manifestSource, [], 'no steps/ folder; add steps/01-first-step.md');
    return [];
  }
  const found: { number: number; name: string; file: string }[] = [];
  for (const name of names.filter((n) => n.endsWith('.md')).sort()) {
    const match = STEP_FILE_PATTERN.exec(name);
    if (!match) {
      reader.problems.push({ file: reader.name(`steps/${name}`), line: 1, column: 1, message: `step file name '${name}' does not look like NN-name.md; rename it, e.g. 01-run-a-pod.md` });
      continue;
    }
    found.push({ number: Number(match[1]), name: match[2]!, file: `steps/${name}` });
  }
  if (!names.some((n) => n.endsWith('.md'))) reader.report(manifestSource, [], 'steps/ holds no NN-name.md files; add steps/01-first-step.md');
  found.forEach((step, index) => {
    const previous = found[index - 1];
    if (previous?.number === step.number) {
      reader.problems.push({ file: reader.name(step.file), line: 1, column: 1, message: `step number ${String(step.number).padStart(2, '0')} is also used by ${previous.file}; give each step its own number` });
    } else if (step.number !== (previous?.number ?? 0) + 1) {
      const expected = String((previous?.number ?? 0) + 1).padStart(2, '0');
      reader.problems.push({ file: reader.name(step.file), line: 1, column: 1, message: `steps must be numbered from 01 without gaps; expected ${expected} here, renumber the files` });
    }
  });
  return found;
}

async function readStep(reader: LabReader, type: Lab['type'], slug: string, entry: { number: number; name: string; file: string }): Promise<Step | undefined> {
  const file = reader.name(entry.file);
  const resolved = await resolveLessonFile(reader.dir, entry.file);
  if ('refused' in resolved) {
    reader.problems.push({ file, line: 1, column: 1, message: resolved.refused });
    return undefined;
  }
  const text = splitFrontMatter(await readFile(resolved.path, 'utf8'));
  if (text.frontMatter === undefined) {
    reader.problems.push({ file, line: 1, column: 1, message: 'the step starts without front matter; begin it with a line ---, then title: …, then ---' });
    return undefined;
  }
  const source = parseYamlSource(text.frontMatter, file, text.frontMatterLine);
  const { value, problems } = validateSource(stepFrontMatterSchema, source);
  reader.problems.push(...problems);
  if (!value) return undefined;

  const seen = new Set<string>();
  value.checks.forEach((check, index) => {
    if (seen.has(check.id)) reader.report(source, ['checks', index, 'id'], `checks[${index}].id: '${check.id}' is used twice in this step; give each check its own id`);
    seen.add(check.id);
  });
  if (value.checks.length && value.solution === undefined) reader.report(source, ['checks'], 'checks: a step with checks needs a solution, so kubelab test can prove the checks can pass; add solution');
  if (!value.checks.length && value.alternatives.length) reader.report(source, ['alternatives'], 'alternatives: nothing checks them; add checks or remove alternatives');
  if (type === 'scenario') {
    if (value.points === undefined) reader.report(source, [], 'a scenario task needs points; add points: 10');
    if (!value.checks.length) reader.report(source, [], 'a scenario task needs checks to score it; add checks');
  } else if (value.points !== undefined) {
    reader.report(source, ['points'], 'points: only scenarios are scored; remove points or make this a scenario');
  }

  const setup = await reader.setup(value.setup, source, ['setup']);
  const solution = value.solution === undefined ? undefined : await reader.script(value.solution, source, ['solution']);
  const alternatives: Step['alternatives'] = [];
  for (const [index, alternative] of value.alternatives.entries()) {
    const script = await reader.script(alternative.solution, source, ['alternatives', index, 'solution']);
    if (script !== undefined) alternatives.push({ title: alternative.title, solution: script });
  }

  const rendered = renderStep(text.body, { lessonSlug: slug });
  const toFileLine = (line: number) => line + text.bodyLine - 1;
  for (const problem of rendered.problems) reader.problems.push({ file, line: toFileLine(problem.line), column: 1, message: problem.message });
  for (const asset of rendered.assets) {
    const image = await resolveLessonFile(reader.dir, asset.path);
    if ('refused' in image) reader.problems.push({ file, line: toFileLine(asset.line), column: 1, message: `image ${image.refused}` });
  }
  return {
    number: entry.number,
    name: entry.name,
    file,
    title: value.title,
    ...(setup && { setup }),
    checks: value.checks,
    ...(solution !== undefined && { solution }),
    alternatives,
    ...(value.points !== undefined && { points: value.points }),
    markdown: text.body,
    html: rendered.html,
    runnableBlocks: rendered.runnableBlocks.map((block) => ({ ...block, line: toFileLine(block.line) })),
  };
}

/** The lab's workspace/ folder as a tarball, when it has one; its problems are reported on the manifest. */
async function readLabWorkspace(reader: LabReader, manifestSource: YamlSource): Promise<Buffer | undefined> {
  const dir = path.join(reader.dir, WORKSPACE_FOLDER);
  const info = await stat(dir).catch(() => undefined);
  if (!info) return undefined;
  if (!info.isDirectory()) {
    reader.report(manifestSource, [], `${WORKSPACE_FOLDER} is a file; make it a folder of the files the attendee starts with`);
    return undefined;
  }
  const { files, problems } = await readWorkspace(dir);
  for (const problem of problems) reader.problems.push({ file: reader.name(WORKSPACE_FOLDER), line: 1, column: 1, message: problem });
  const tooLong = files.find((f) => Buffer.byteLength(f.path) >= 100);
  if (tooLong) reader.problems.push({ file: reader.name(`${WORKSPACE_FOLDER}/${tooLong.path}`), line: 1, column: 1, message: 'the path is too long (100 bytes at most); shorten it' });
  return problems.length || tooLong ? undefined : workspaceTarball(files);
}

/** Loads the lesson or scenario in `dir` (a folder holding lesson.yaml or scenario.yaml). */
export async function loadLesson(dir: string, options: LoadOptions = {}): Promise<LabLoad> {
  const reader = new LabReader(path.resolve(dir), path.resolve(options.relativeTo ?? path.join(dir, '..', '..')));
  try {
    const hasLesson = await exists(path.join(reader.dir, 'lesson.yaml'));
    const hasScenario = await exists(path.join(reader.dir, 'scenario.yaml'));
    if (hasLesson === hasScenario) {
      const message = hasLesson ? 'holds both lesson.yaml and scenario.yaml; keep one' : 'holds neither lesson.yaml nor scenario.yaml; run kubelab new lesson <slug> to start one';
      return { problems: [{ file: reader.name('.'), line: 1, column: 1, message: `the folder ${message}` }] };
    }
    const type = hasLesson ? 'lesson' : 'scenario';
    const slug = path.basename(reader.dir);
    const read = await readManifest(reader, type);
    if (!SLUG_PATTERN.test(slug)) {
      reader.problems.push({ file: reader.name(`${type}.yaml`), line: 1, column: 1, message: `folder name '${slug}' is not a slug; rename it to lower-case words joined by dashes` });
    }
    const steps: Step[] = [];
    for (const entry of await stepFiles(reader, read.source)) {
      const step = await readStep(reader, type, slug, entry);
      if (step) steps.push(step);
    }
    const workspace = await readLabWorkspace(reader, read.source);
    if (!read.manifest || reader.problems.length) return { problems: reader.problems };
    const setup = workspace ? { ...(read.setup ?? { manifests: [] }), workspace } : read.setup;
    const base = { slug, dir: reader.dir, ...(setup && { setup }), steps };
    const lab: Lab = type === 'lesson' ? { type, ...base, manifest: read.manifest as LessonManifest } : { type, ...base, manifest: read.manifest as ScenarioManifest };
    return { lab, problems: [] };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { problems: [...reader.problems, { file: reader.name('.'), line: 1, column: 1, message: `could not read the lesson: ${message}` }] };
  }
}

/** Every lab under `root/lessons` and `root/scenarios`, and the problems of those it skipped. */
export interface Catalog {
  lessons: Lab[];
  scenarios: Lab[];
  problems: LessonProblem[];
}

/** Loads all lessons and scenarios below a content root; broken ones are skipped and reported. */
export async function loadCatalog(root: string, options: LoadOptions = {}): Promise<Catalog> {
  const catalog: Catalog = { lessons: [], scenarios: [], problems: [] };
  for (const folder of ['lessons', 'scenarios'] as const) {
    const entries = await readdir(path.join(root, folder), { withFileTypes: true }).catch(() => []);
    for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      const load = await loadLesson(path.join(root, folder, entry.name), { relativeTo: options.relativeTo ?? root });
      catalog.problems.push(...load.problems);
      const expected = folder === 'lessons' ? 'lesson' : 'scenario';
      if (load.lab && load.lab.type !== expected) {
        catalog.problems.push({ file: path.relative(options.relativeTo ?? root, path.join(root, folder, entry.name)), line: 1, column: 1, message: `a ${load.lab.type} inside ${folder}/; move it to ${load.lab.type}s/` });
      } else if (load.lab) catalog[folder].push(load.lab);
    }
  }
  for (const folder of ['lessons', 'scenarios'] as const) catalog[folder].sort(catalogOrder);
  return catalog;
}

/** Catalog order: by `order` where given (those first), then by title. */
export function catalogOrder(a: Lab, b: Lab): number {
  const oa = a.manifest.order ?? Number.POSITIVE_INFINITY;
  const ob = b.manifest.order ?? Number.POSITIVE_INFINITY;
  return oa === ob ? a.manifest.title.localeCompare(b.manifest.title) : oa - ob;
}

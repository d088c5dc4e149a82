// `kubelab import killercoda`: turns a Killercoda (or Katacoda) scenario folder into a kubelab
// lesson, so existing material moves over in one command and then reads like any other lesson.
import { mkdir, readFile, writeFile, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { refusePath } from '../server/lessons/lesson-paths.js';

/** One page of a Killercoda scenario with its scripts read. */
export interface KillercodaPage {
  title: string;
  text: string;
  verify?: string;
  background?: string;
  foreground?: string;
}

/** A Killercoda scenario as its index.json and files describe it. */
export interface KillercodaScenario {
  title: string;
  description: string;
  difficulty?: string;
  minutes?: number;
  workers: number;
  intro?: KillercodaPage;
  steps: KillercodaPage[];
  finish?: KillercodaPage;
}

/** The lesson an import produces: files to write, images to copy, and what the author must finish. */
export interface ImportedLesson {
  files: Record<string, string>;
  /** Images the markdown shows: copied from the scenario folder into the lesson, same relative path. */
  assets: string[];
  warnings: string[];
}

/** An import that cannot go ahead, e.g. index.json is missing. */
export class ImportError extends Error {
  readonly code = 'IMPORT_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

const EXEC_MARKER = /\{\{\s*(exec|execute)(?:\s+(interrupt|T\d+))?\s*\}\}/;
const ANY_MARKER = /\{\{\s*(?:exec|execute|copy)(?:\s+[\w]+)?\s*\}\}/g;

/** Converts Killercoda markdown: `{{exec}}` blocks become run blocks; returns the commands they run. */
export function convertKillercodaMarkdown(markdown: string): { markdown: string; commands: string[] } {
  const out: string[] = [];
  const commands: string[] = [];
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)\s*$/.exec(lines[i]!);
    if (!open) {
      out.push(lines[i]!.replace(/(`[^`\n]+`)\{\{\s*(?:exec|execute)[^}]*\}\}/g, (_, code: string) => {
        commands.push(code.slice(1, -1));
        return code;
      }).replace(ANY_MARKER, ''));
      continue;
    }
    const [, indent = '', fence = '', language = ''] = open;
    const body: string[] = [];
    let close = '';
    while (++i < lines.length) {
      const line = lines[i]!;
      if (line.trimStart().startsWith(fence)) {
        close = line;
        break;
      }
      body.push(line);
    }
    const exec = EXEC_MARKER.exec(close);
    const lang = !language || language === 'plain' || language === 'shell' ? 'bash' : language;
    const terminal = exec?.[2]?.startsWith('T') && exec[2] !== 'T1' ? ` terminal=${exec[2].slice(1)}` : '';
    out.push(`${indent}${fence}${lang}${exec ? ` run${terminal}` : ''}`, ...body, `${indent}${fence}`);
    if (exec) commands.push(body.join('\n'));
  }
  return { markdown: out.join('\n'), commands };
}

function slugify(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '') || 'step';
}

function frontMatter(data: Record<string, unknown>): string {
  return `---\n${stringify(data, { lineWidth: 0 })}---\n`;
}

function foregroundNote(script: string): string {
  return `::: note\nIn the original scenario this ran in your terminal when the step opened:\n\n\`\`\`bash run\n${script.trim()}\n\`\`\`\n:::\n\n`;
}

function imagesIn(markdown: string): string[] {
  return [...markdown.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)>?/g)].map((m) => m[1]!).filter((src) => !/^[a-z][a-z0-9+.-]*:|^\/\//i.test(src) && !refusePath(src));
}

/** Converts a read scenario into lesson files; pure, so it is tested without a disk. */
export function convertKillercoda(scenario: KillercodaScenario): ImportedLesson {
  const files: Record<string, string> = {};
  const warnings: string[] = [];
  const assets = new Set<string>();
  const pages: { page: KillercodaPage; reading: boolean }[] = [
    ...(scenario.intro ? [{ page: { ...scenario.intro, title: scenario.intro.title || 'Introduction' }, reading: true }] : []),
    ...scenario.steps.map((page) => ({ page, reading: false })),
    ...(scenario.finish ? [{ page: { ...scenario.finish, title: scenario.finish.title || 'Finish' }, reading: true }] : []),
  ];
  const difficulty = ['beginner', 'intermediate', 'advanced'].includes(scenario.difficulty ?? '') ? scenario.difficulty : 'beginner';
  if (difficulty !== scenario.difficulty) warnings.push(`difficulty was '${scenario.difficulty ?? 'not given'}'; set to beginner, adjust lesson.yaml`);
  const manifest: Record<string, unknown> = {
    title: scenario.title,
    summary: scenario.description.trim() || `Imported from the Killercoda scenario "${scenario.title}".`,
    difficulty,
    minutes: scenario.minutes ?? Math.max(5, 5 * scenario.steps.length),
    tags: ['imported'],
    cluster: { workers: scenario.workers, ingress: false },
  };
  if (scenario.intro?.background) manifest['setup'] = { script: scenario.intro.background };
  files['lesson.yaml'] = `# yaml-language-server: $schema=../../schema/lesson.schema.json\n${stringify(manifest, { lineWidth: 0 })}`;

  pages.forEach(({ page, reading }, index) => {
    const number = String(index + 1).padStart(2, '0');
    const converted = convertKillercodaMarkdown(page.text);
    for (const image of imagesIn(converted.markdown)) assets.add(path.posix.normalize(image));
    const data: Record<string, unknown> = { title: page.title };
    if (page.background && !(reading && index === 0)) data['setup'] = { script: page.background };
    if (page.verify) {
      data['checks'] = [{ id: 'verify', title: `${page.title}: the scenario's verify script passes`, kind: 'script', run: page.verify }];
      if (converted.commands.length) {
        data['solution'] = `${converted.commands.join('\n')}\n`;
      } else {
        data['solution'] = `echo 'kubelab import: no {{exec}} command in this step; write the solution in ${`steps/${number}`}' >&2\nexit 1\n`;
        warnings.push(`step ${number} "${page.title}" has a verify script but no {{exec}} command to use as its solution; write one (kubelab test fails until you do)`);
      }
    } else if (!reading) {
      warnings.push(`step ${number} "${page.title}" has no verify script, so it became a reading step without checks; add checks if it asks the attendee to do something`);
    }
    const note = page.foreground ? foregroundNote(page.foreground) : '';
    files[`steps/${number}-${slugify(page.title)}.md`] = `${frontMatter(data)}\n${note}${converted.markdown.trim()}\n`;
  });
  return { files, assets: [...assets], warnings };
}

async function readOptional(dir: string, file: unknown, what: string): Promise<string | undefined> {
  if (typeof file !== 'string' || !file) return undefined;
  const refused = refusePath(file);
  if (refused) throw new ImportError(`index.json names ${what} ${refused}`);
  try {
    return await readFile(path.join(dir, file), 'utf8');
  } catch {
    throw new ImportError(`index.json names ${what} '${file}', which does not exist in ${dir}; fix index.json or add the file`);
  }
}

async function readPage(dir: string, raw: unknown, fallbackTitle: string): Promise<KillercodaPage | undefined> {
  if (!raw || typeof raw !== 'object') return undefined;
  const page = raw as Record<string, unknown>;
  const title = typeof page['title'] === 'string' ? page['title'] : fallbackTitle;
  const text = (await readOptional(dir, page['text'], `the text of "${title}"`)) ?? '';
  const result: KillercodaPage = { title, text };
  for (const key of ['verify', 'background', 'foreground'] as const) {
    const script = await readOptional(dir, page[key], `the ${key} script of "${title}"`);
    if (script !== undefined) result[key] = script;
  }
  return result;
}

/** Reads a Killercoda scenario folder (index.json and the files it names). */
export async function readKillercodaScenario(dir: string): Promise<KillercodaScenario> {
  let index: Record<string, unknown>;
  try {
    index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ImportError(`cannot read ${path.join(dir, 'index.json')}: ${error instanceof Error ? error.message : String(error)}; point the import at a Killercoda scenario folder`);
  }
  const details = (index['details'] ?? {}) as Record<string, unknown>;
  const rawSteps = Array.isArray(details['steps']) ? details['steps'] : [];
  if (!rawSteps.length) throw new ImportError(`${path.join(dir, 'index.json')} lists no details.steps; nothing to import`);
  const steps: KillercodaPage[] = [];
  for (const [i, raw] of rawSteps.entries()) {
    const page = await readPage(dir, raw, `Step ${i + 1}`);
    if (page) steps.push(page);
  }
  const intro = await readPage(dir, details['intro'], 'Introduction');
  const finish = await readPage(dir, details['finish'], 'Finish');
  const backend = (index['backend'] ?? {}) as Record<string, unknown>;
  const nodes = /(\d+)node/.exec(String(backend['imageid'] ?? ''));
  const minutes = /(\d+)/.exec(String(index['time'] ?? ''));
  return {
    title: typeof index['title'] === 'string' ? index['title'] : path.basename(dir),
    description: typeof index['description'] === 'string' ? index['description'] : '',
    ...(typeof index['difficulty'] === 'string' && { difficulty: index['difficulty'].toLowerCase() }),
    ...(minutes && { minutes: Number(minutes[1]) }),
    workers: nodes ? Math.min(3, Math.max(0, Number(nodes[1]) - 1)) : 0,
    ...(intro && { intro }),
    steps,
    ...(finish && { finish }),
  };
}

/** Reads, converts and writes; refuses to overwrite an existing lesson folder. */
export async function importKillercoda(sourceDir: string, outDir: string): Promise<ImportedLesson> {
  const scenario = await readKillercodaScenario(sourceDir);
  const imported = convertKillercoda(scenario);
  await mkdir(path.dirname(outDir), { recursive: true });
  try {
    await mkdir(outDir);
  } catch {
    throw new ImportError(`${outDir} already exists; choose another --out or remove it`);
  }
  for (const [file, content] of Object.entries(imported.files)) {
    await mkdir(path.dirname(path.join(outDir, file)), { recursive: true });
    await writeFile(path.join(outDir, file), content);
  }
  for (const asset of imported.assets) {
    await mkdir(path.dirname(path.join(outDir, asset)), { recursive: true });
    try {
      await copyFile(path.join(sourceDir, asset), path.join(outDir, asset));
    } catch {
      imported.warnings.push(`image ${asset} is not in the scenario folder; add it to the lesson`);
    }
  }
  return imported;
}

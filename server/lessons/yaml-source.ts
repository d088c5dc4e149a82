// YAML that remembers where every value came from, so a schema issue on `checks[0].kind` can be
// reported at the line and column the author typed it, also inside a step's front matter.
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { z } from 'zod';
import { describeIssue, type LessonProblem } from './problems.js';

/** A parsed YAML text and a way back from a data path to its place in the file. */
export interface YamlSource {
  file: string;
  data: unknown;
  /** Syntax errors; `data` is unusable when there are any. */
  problems: LessonProblem[];
  /** File position of the value at `path`, or of the nearest enclosing value that exists. */
  locate(path: readonly PropertyKey[]): { line: number; column: number };
}

/** Parses `text`, which starts at line `firstLine` of `file` (front matter starts at line 2). */
export function parseYamlSource(text: string, file: string, firstLine = 1): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: line + firstLine - 1, column: col };
  };
  const problems = [...doc.errors, ...doc.warnings].map((error) => ({
    file,
    ...position(error.pos[0]),
    message: `YAML: ${error.message.split('\n')[0]}`,
  }));
  const locate = (path: readonly PropertyKey[]) => {
    let node: unknown = doc.contents;
    let offset = doc.contents?.range?.[0] ?? 0;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === key);
        if (!pair) break;
        offset = (pair.key as Node).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number' && node.items[key]) {
        node = node.items[key];
        offset = (node as Node).range?.[0] ?? offset;
      } else break;
    }
    return position(offset);
  };
  return { file, data: problems.length ? undefined : doc.toJS(), problems, locate };
}

/** Validates a parsed source against a schema, giving the value or the problems at their positions. */
export function validateSource<T>(schema: z.ZodType<T>, source: YamlSource): { value?: T; problems: LessonProblem[] } {
  if (source.problems.length) return { problems: source.problems };
  const result = schema.safeParse(source.data ?? {});
  if (result.success) return { value: result.data, problems: [] };
  const problems = result.error.issues
    .flatMap((issue) => describeIssue(issue, source.data))
    .map(({ path, message }) => ({ file: source.file, ...source.locate(path), message }));
  return { problems };
}

/** A step file split into its YAML front matter and its markdown, with the line each starts on. */
export interface StepText {
  frontMatter: string | undefined;
  /** File line where the front matter's YAML begins (2, after the opening `---`). */
  frontMatterLine: number;
  body: string;
  /** File line where the markdown begins. */
  bodyLine: number;
}

/** Splits `---`-delimited front matter off the start of a markdown file. */
export function splitFrontMatter(text: string): StepText {
  const match = /^---[ \t]*\r?\n([\s\S]*?\r?\n)?---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!match) return { frontMatter: undefined, frontMatterLine: 1, body: text, bodyLine: 1 };
  const consumed = match[0].split('\n').length - (match[0].endsWith('\n') ? 1 : 0);
  return { frontMatter: match[1] ?? '', frontMatterLine: 2, body: text.slice(match[0].length), bodyLine: consumed + 1 };
}

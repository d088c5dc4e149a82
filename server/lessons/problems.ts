// What is wrong in a lesson, pointed at the exact place in the exact file, worded so the author
// knows what to change. Lint prints these; the catalog keeps them to explain skipped lessons.
import type { z } from 'zod';

/** One thing an author must fix, at `file:line:column` (1-based, file relative to the content root). */
export interface LessonProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** The one-line form editors and CI annotate: `steps/02-logs.md:7:5: checks[0].kind: …`. */
export function formatProblem(problem: LessonProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}

/** `['checks', 0, 'kind']` → `checks[0].kind`, the way an author would name the field. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
}

function list(values: readonly unknown[]): string {
  return values.map((v) => String(v)).join(', ');
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let node = data;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** A schema issue as a path (where to point) and a sentence saying what is wrong and how to fix it. */
export interface DescribedIssue {
  path: PropertyKey[];
  message: string;
}

/** Rewords zod's issues for lesson authors; `data` is the parsed YAML the issues are about. */
export function describeIssue(issue: z.core.$ZodIssue, data: unknown): DescribedIssue[] {
  const path = [...issue.path];
  switch (issue.code) {
    case 'unrecognized_keys':
      // The check schemas word this themselves (with a did-you-mean); keep their words.
      if (issue.keys.length === 1 && !issue.message.startsWith('Unrecognized key')) {
        return [{ path: [...path, issue.keys[0]!], message: `${formatPath([...path, issue.keys[0]!])}: ${issue.message}` }];
      }
      return issue.keys.map((key) => ({
        path: [...path, key],
        message: `${formatPath([...path, key])}: unknown field '${key}'; check its spelling or remove it`,
      }));
    case 'invalid_type': {
      const actual = valueAt(data, path);
      const where = formatPath(path) || 'file';
      if (actual === undefined) return [{ path, message: `${where}: missing; add it (expected ${issue.expected})` }];
      const got = actual === null ? 'nothing' : Array.isArray(actual) ? 'a list' : typeof actual;
      return [{ path, message: `${where}: expected ${issue.expected}, got ${got}` }];
    }
    case 'invalid_value': {
      const actual = valueAt(data, path);
      if (actual === undefined) return [{ path, message: `${formatPath(path)}: missing; add one of ${list(issue.values)}` }];
      return [{ path, message: `${formatPath(path)}: '${String(actual)}' is not allowed; use one of ${list(issue.values)}` }];
    }
    case 'invalid_union': {
      if ('discriminator' in issue && typeof issue.discriminator === 'string') {
        const options = 'options' in issue && Array.isArray(issue.options) ? issue.options : [];
        if (!issue.message.startsWith('Invalid discriminator')) return [{ path, message: `${formatPath(path)}: ${issue.message}` }];
        const actual = valueAt(data, path);
        const field = issue.discriminator;
        const what = actual === undefined ? `missing ${field}` : `unknown ${field} '${String(actual)}'`;
        return [{ path, message: `${formatPath(path)}: ${what}; use one of ${list(options)}` }];
      }
      return [{ path, message: `${formatPath(path) || 'file'}: ${issue.message}` }];
    }
    default:
      return [{ path, message: `${formatPath(path) || 'file'}: ${issue.message}` }];
  }
}

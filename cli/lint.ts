// `kubelab lint`: loads every lab under the given paths with the same loader the server uses, so
// what lint accepts is exactly what the catalog serves.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { loadCatalog, loadLesson, type Lab } from '../server/lessons/load.js';
import type { LessonProblem } from '../server/lessons/problems.js';
import { readdir } from 'node:fs/promises';

/** Labs that loaded cleanly and the problems of the rest, with files relative to `cwd`. */
export interface LintResult {
  labs: Lab[];
  problems: LessonProblem[];
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Finds and loads the labs a path names: a lab folder, a content root, or a folder of labs. */
export async function lintPaths(paths: string[], cwd: string): Promise<LintResult> {
  const result: LintResult = { labs: [], problems: [] };
  for (const given of paths.length ? paths : ['.']) {
    const target = path.resolve(cwd, given);
    if ((await isFile(path.join(target, 'lesson.yaml'))) || (await isFile(path.join(target, 'scenario.yaml')))) {
      const load = await loadLesson(target, { relativeTo: cwd });
      result.problems.push(...load.problems);
      if (load.lab) result.labs.push(load.lab);
      continue;
    }
    const entries = await readdir(target, { withFileTypes: true }).catch(() => undefined);
    if (!entries) {
      result.problems.push({ file: given, line: 1, column: 1, message: 'no such folder; name a lesson folder or a folder holding lessons/ and scenarios/' });
      continue;
    }
    const names = entries.filter((e) => e.isDirectory()).map((e) => e.name);
    if (names.includes('lessons') || names.includes('scenarios')) {
      const catalog = await loadCatalog(target, { relativeTo: cwd });
      result.labs.push(...catalog.lessons, ...catalog.scenarios);
      result.problems.push(...catalog.problems);
      continue;
    }
    for (const name of names.sort()) {
      const load = await loadLesson(path.join(target, name), { relativeTo: cwd });
      result.problems.push(...load.problems);
      if (load.lab) result.labs.push(load.lab);
    }
  }
  return result;
}

// Lessons name files (manifests, scripts, images) relative to their folder; none of them may lead
// out of it, or a lesson could make the server read or serve any file on the host.
import { realpath } from 'node:fs/promises';
import path from 'node:path';

/** Why a lesson-relative path is refused before touching the disk, or undefined when it is fine. */
export function refusePath(relative: string): string | undefined {
  if (path.posix.isAbsolute(relative) || path.win32.isAbsolute(relative) || relative.includes('\\')) {
    return `'${relative}' is an absolute path; name the file relative to the lesson folder`;
  }
  const normalized = path.posix.normalize(relative);
  if (normalized === '..' || normalized.startsWith('../')) {
    return `'${relative}' leaves the lesson folder; move the file into the lesson folder and name it from there`;
  }
  return undefined;
}

/** The absolute path of a lesson file that exists inside the lesson folder, or why it cannot be used. */
export async function resolveLessonFile(lessonDir: string, relative: string): Promise<{ path: string } | { refused: string }> {
  const refused = refusePath(relative);
  if (refused) return { refused };
  let real: string;
  try {
    real = await realpath(path.join(lessonDir, relative));
  } catch {
    return { refused: `'${relative}' does not exist in the lesson folder; create it or fix the name` };
  }
  const root = await realpath(lessonDir);
  if (!real.startsWith(root + path.sep)) {
    return { refused: `'${relative}' is a symlink out of the lesson folder; copy the file into the lesson instead` };
  }
  return { path: real };
}

// Content-addressed cache keys: a target is rebuilt only when something it is made from changed
// (its recipe files, the pinned versions it uses, or the keys of the targets it builds on).
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

/** Label kubelab puts on the images it builds, holding the cache key they were built from. */
export const KEY_LABEL = 'dev.kubelab.key';

/** Where built binaries and intermediate files live; KUBELAB_CACHE overrides. */
export function cacheRoot(): string {
  return process.env.KUBELAB_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'kubelab');
}

/** Hashes files and directories (recursively, sorted, by relative path and content). */
export async function hashPaths(paths: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const p of [...paths].sort()) await hashInto(hash, p, path.basename(p));
  return hash.digest('hex');
}

async function hashInto(hash: ReturnType<typeof createHash>, p: string, rel: string): Promise<void> {
  const info = await stat(p);
  if (info.isDirectory()) {
    for (const entry of (await readdir(p)).sort()) await hashInto(hash, path.join(p, entry), `${rel}/${entry}`);
    return;
  }
  hash.update(`${rel}\0${info.mode & 0o111 ? 'x' : '-'}\0`);
  hash.update(await readFile(p));
  hash.update('\0');
}

/** Combines parts (strings or earlier keys) into one short key. */
export function combineKey(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

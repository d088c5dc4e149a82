// A lab's workspace/ folder: files the attendee works with (manifests to edit, a Helm chart, a
// script), copied into the toolbox's home directory when the lab starts or is reset, so the
// first `ls` in the terminal shows them. Lint checks it; the environment copies it as a tarball.
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** The folder inside a lab that becomes the attendee's home directory contents. */
export const WORKSPACE_FOLDER = 'workspace';
/** Above this the lab should ship an image or a manifest instead: the copy runs on every reset. */
export const WORKSPACE_MAX_BYTES = 1024 * 1024;

export interface WorkspaceFile {
  /** Path below workspace/, with forward slashes. */
  path: string;
  mode: number;
  content: Buffer;
}

/** The files of a workspace, or the problems that keep it from being copied. */
export async function readWorkspace(dir: string): Promise<{ files: WorkspaceFile[]; problems: string[] }> {
  const files: WorkspaceFile[] = [];
  const problems: string[] = [];
  let total = 0;
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(path.join(dir, relative), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      const info = await lstat(path.join(dir, name));
      if (info.isSymbolicLink()) problems.push(`workspace/${name} is a symlink; copy the file into workspace/ instead`);
      else if (info.isDirectory()) await walk(name);
      else if (info.isFile()) {
        total += info.size;
        files.push({ path: name, mode: info.mode & 0o777, content: await readFile(path.join(dir, name)) });
      } else problems.push(`workspace/${name} is not a regular file; remove it`);
    }
  };
  await walk('');
  if (total > WORKSPACE_MAX_BYTES) problems.push(`workspace/ holds ${total} bytes, more than ${WORKSPACE_MAX_BYTES}; ship large things as an image or a manifest`);
  return { files, problems };
}

function header(name: string, mode: number, size: number, type: '0' | '5'): Buffer {
  const block = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number) => block.write(text.slice(0, length), offset, 'utf8');
  const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, '0');
  put(name, 0, 100);
  put(octal(mode, 8), 100, 8);
  put(octal(1000, 8), 108, 8);
  put(octal(1000, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(0, 12), 136, 12);
  block.fill(' ', 148, 156);
  put(type, 156, 1);
  put('ustar', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(`${octal(sum, 7)}\0`, 148, 8);
  return block;
}

/** A gzipped ustar archive of the files (paths under 100 characters), for `tar -xz` in the toolbox. */
export function workspaceTarball(files: readonly WorkspaceFile[]): Buffer {
  const parts: Buffer[] = [];
  const dirs = new Set<string>();
  for (const file of files) {
    const segments = file.path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const dir = `${segments.slice(0, i).join('/')}/`;
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      parts.push(header(dir, 0o755, 0, '5'));
    }
    if (Buffer.byteLength(file.path) >= 100) throw new Error(`workspace/${file.path}: the path is too long (100 bytes at most)`);
    parts.push(header(file.path, file.mode, file.content.length, '0'), file.content, Buffer.alloc((512 - (file.content.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

/** Bash that empties the home directory (dot files stay: kubeconfig, history) and unpacks the tarball. */
export function installWorkspaceScript(tarball: Buffer | undefined): string {
  const lines = ['set -e', 'cd ~', "find . -mindepth 1 -maxdepth 1 ! -name '.*' -exec rm -rf {} +"];
  if (tarball) lines.push(`base64 -d <<'KUBELAB_WORKSPACE' | tar -xzf - --no-same-owner`, tarball.toString('base64').replace(/(.{76})/g, '$1\n'), 'KUBELAB_WORKSPACE');
  return lines.join('\n');
}

import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { installWorkspaceScript, readWorkspace, workspaceTarball } from '../../../server/lessons/workspace.js';

const temporary: string[] = [];
async function folder(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kubelab-workspace-'));
  temporary.push(dir);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  return dir;
}
afterEach(async () => {
  await Promise.all(temporary.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('workspace', () => {
  it('packs nested files so that the system tar unpacks them byte for byte, modes included', async () => {
    const source = await folder({ 'web.yaml': 'kind: Pod\n', 'chart/Chart.yaml': 'name: shop\n', 'chart/templates/deploy.yaml': '{{ .Values.x }}\n', 'run.sh': '#!/bin/sh\necho hi\n' });
    await execa('chmod', ['755', path.join(source, 'run.sh')]);
    const { files, problems } = await readWorkspace(source);
    expect(problems).toEqual([]);
    expect(files.map((f) => f.path)).toEqual(['chart/Chart.yaml', 'chart/templates/deploy.yaml', 'run.sh', 'web.yaml']);
    const out = await folder();
    await execa('tar', ['-xzf', '-', '-C', out], { input: workspaceTarball(files) });
    expect(await readFile(path.join(out, 'chart/templates/deploy.yaml'), 'utf8')).toBe('{{ .Values.x }}\n');
    expect(await readFile(path.join(out, 'web.yaml'), 'utf8')).toBe('kind: Pod\n');
    expect((await stat(path.join(out, 'run.sh'))).mode & 0o777).toBe(0o755);
  });

  it('refuses symlinks and oversized folders with what to do', async () => {
    const source = await folder({ 'big.bin': 'x'.repeat(1024 * 1024 + 1) });
    await symlink('/etc/passwd', path.join(source, 'passwd'));
    const { problems } = await readWorkspace(source);
    expect(problems).toEqual([
      'workspace/passwd is a symlink; copy the file into workspace/ instead',
      expect.stringMatching(/^workspace\/ holds 1048577 bytes, more than 1048576; ship large things/),
    ]);
  });

  it('the install script empties the home but keeps dot files, then unpacks the workspace', async () => {
    const home = await folder({ '.kube/config': 'cfg', '.bash_history': 'ls', 'old.yaml': 'left over', 'olddir/x': 'y' });
    const { files } = await readWorkspace(await folder({ 'new.yaml': 'fresh' }));
    await execa('bash', ['-s'], { input: installWorkspaceScript(workspaceTarball(files)), env: { HOME: home } });
    expect(await readFile(path.join(home, 'new.yaml'), 'utf8')).toBe('fresh');
    expect(await readFile(path.join(home, '.kube/config'), 'utf8')).toBe('cfg');
    await expect(stat(path.join(home, 'old.yaml'))).rejects.toThrow();
    await expect(stat(path.join(home, 'olddir'))).rejects.toThrow();
    await execa('bash', ['-s'], { input: installWorkspaceScript(undefined), env: { HOME: home } });
    await expect(stat(path.join(home, 'new.yaml'))).rejects.toThrow();
    expect(await readFile(path.join(home, '.bash_history'), 'utf8')).toBe('ls');
  });
});

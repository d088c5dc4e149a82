// Fault: the data folder fills up or is read-only. The data folder is a small tmpfs the test
// mounts (so it needs root, as `npm test` runs in CI; chmod does not stop root). While the real app
// runs on it, the disk is filled: Check answers STORE_UNWRITABLE with a sentence for the attendee
// (no server paths), pages keep loading while /healthz names the problem, the SQLite file passes PRAGMA
// integrity_check and keeps every earlier pass, and once space is freed the same server saves
// again. Read-only: createApp and `npm start` (server/main.ts as a child process) refuse to start,
// saying which file and what to check, and the data already saved is intact.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Ack, CheckReply } from '../../protocol/lab.js';
import { createApp } from '../../server/app.js';
import { parseConfig } from '../../server/config.js';
import { Store, StoreError } from '../../server/store/store.js';
import { READY, startFakeLabApp } from '../support/fake-lab-app.js';

const isRoot = process.getuid?.() === 0;
const mounts: string[] = [];

async function tmpfs(size: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kubelab-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

/** Writes 64 KiB files until the disk says it is full; returns their names. */
async function fill(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (;;) {
    const file = path.join(dir, `filler-${files.length}`);
    try {
      await writeFile(file, Buffer.alloc(64 * 1024, 1));
      files.push(file);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOSPC') throw error;
      await rm(file, { force: true });
      // Fill the last partial block too.
      for (let size = 32 * 1024; size >= 512; size /= 2) await writeFile(path.join(dir, `filler-tail-${size}`), Buffer.alloc(size)).then(() => files.push(path.join(dir, `filler-tail-${size}`)), () => undefined);
      return files;
    }
  }
}

function integrity(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return (db.pragma('integrity_check', { simple: true }) as string) ?? '';
  } finally {
    db.close();
  }
}

afterEach(async () => {
  for (const dir of mounts.splice(0)) {
    spawnSync('umount', ['-l', dir]);
    await rm(dir, { recursive: true, force: true });
  }
});

describe.skipIf(!isRoot)('fault: the data folder is full or read-only (root: mounts a tmpfs)', () => {
  it('on a full disk refuses to save with a clear error, loses nothing saved, and saves again once space is freed', async () => {
    const dir = await tmpfs('2m');
    const f = await startFakeLabApp({ dir });
    try {
      const { lab, ready, cookie, visitorId } = await f.startLab();
      f.checks.passing = true;
      const check = () => lab.timeout(5_000).emitWithAck('lab:check', { sessionId: ready.sessionId }) as Promise<Ack<CheckReply>>;
      expect(await check()).toMatchObject({ ok: true, passed: true, passedSteps: [1] });

      const fillers = await fill(dir);
      const full = await check();
      expect(full).toMatchObject({ ok: false, error: { code: 'STORE_UNWRITABLE' } });
      if (!full.ok) {
        expect(full.error.message).toContain('disk is full or its data folder is read-only');
        expect(full.error.message).not.toContain(dir);
      }
      // Reading goes on: the catalog and the visitor still load (a visit is recorded best-effort),
      // and /healthz says what the host must fix.
      expect((await fetch(`${f.base}/api/me`, { headers: { cookie } })).status).toBe(200);
      const catalog = await fetch(`${f.base}/api/catalog`, { headers: { cookie } });
      expect(catalog.status).toBe(200);
      expect(((await catalog.json()) as { lessons: { slug: string; progress: { passedSteps: number[] } }[] }).lessons.find((l) => l.slug === 'pods')?.progress.passedSteps).toEqual([1]);
      expect(((await (await fetch(`${f.base}/healthz`)).json()) as { store: unknown }).store).toEqual({ writable: false, message: expect.stringContaining('is full') });

      // The file is sound and holds everything saved before the disk filled.
      const db = path.join(dir, 'kubelab.db');
      expect(integrity(db)).toBe('ok');
      const reader = new Store(db);
      expect(reader.progress(visitorId, 'pods').find((p) => p.step === 1)?.passedAt).toEqual(expect.any(Number));
      reader.close();
      // The session survived the failed write; free the space and the same server saves again.
      expect(f.app.sessions?.sessionOf(visitorId)?.sessionId).toBe(ready.sessionId);
      await Promise.all(fillers.map((file) => rm(file)));
      expect(await check()).toMatchObject({ ok: true, passed: true });
      expect(((await (await fetch(`${f.base}/healthz`)).json()) as { store: unknown }).store).toEqual({ writable: true });
    } finally {
      await f.close();
    }
    expect(integrity(path.join(dir, 'kubelab.db'))).toBe('ok');
  });

  it('refuses to start on a read-only data folder, in createApp and in npm start, and keeps what was saved', async () => {
    const dir = await tmpfs('4m');
    const file = path.join(dir, 'kubelab.db');
    const saved = new Store(file);
    saved.touchVisitor('a'.repeat(32));
    saved.recordCheck('a'.repeat(32), 'pods', 1, true, []);
    saved.close();
    execFileSync('mount', ['-o', 'remount,ro', dir]);

    const config = parseConfig(['--data-dir', dir, '--pool-size', '0'], {}, process.cwd());
    const error = await createApp(config, { logger: pino({ level: 'silent' }), readiness: async () => READY }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'STORE_UNWRITABLE', message: `${file} cannot be written (SQLITE_CANTOPEN): check the data folder's permissions and free space` });

    // The real entry point: one clear line on stderr, no stack trace, a failing exit code.
    const main = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts', '--data-dir', dir, '--port', '0', '--pool-size', '0'], {
      encoding: 'utf8',
      timeout: 100_000,
      env: { ...process.env, KUBELAB_KIND: '/nonexistent/kind', KUBELAB_LOG_LEVEL: 'silent' },
    });
    expect(main.status).toBe(1);
    expect(main.stderr.trim()).toBe(`${file} cannot be written (SQLITE_CANTOPEN): check the data folder's permissions and free space`);

    execFileSync('mount', ['-o', 'remount,rw', dir]);
    expect(integrity(file)).toBe('ok');
    const reopened = new Store(file);
    expect(reopened.progress('a'.repeat(32), 'pods')).toEqual([expect.objectContaining({ step: 1, passedAt: expect.any(Number) })]);
    reopened.close();
  }, 120_000);
});

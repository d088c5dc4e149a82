import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../../server/store/store.js';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kubelab-store-'));
  dirs.push(dir);
  return path.join(dir, 'data', 'kubelab.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) {
    chmodSync(d, 0o755);
    rmSync(d, { recursive: true, force: true });
  }
});

describe('the SQLite store', () => {
  it('keeps progress, attempts and live sessions across a close and reopen of the same file', () => {
    const file = tempFile();
    let t = 1000;
    const a = new Store(file, () => t);
    a.touchVisitor('v1', 'Ada');
    a.startStep('v1', 'pods', 1);
    t = 2000;
    a.recordCheck('v1', 'pods', 1, false, [{ id: 'x', passed: false }]);
    t = 3000;
    a.recordCheck('v1', 'pods', 1, true, [{ id: 'x', passed: true }]);
    t = 4000;
    a.recordCheck('v1', 'pods', 1, true, []);
    a.saveSession({ id: 's1', visitorId: 'v1', lab: 'pods', cluster: 'kl-1', toolbox: 'kl-1-toolbox', createdAt: 1000, expiresAt: 9000 });
    a.close();

    const b = new Store(file);
    expect(b.displayName('v1')).toBe('Ada');
    expect(b.progress('v1', 'pods')).toEqual([{ lab: 'pods', step: 1, startedAt: 1000, passedAt: 3000 }]);
    expect(b.checkAttempts('v1', 'pods', 1)).toBe(3);
    expect(b.liveSessions().map((s) => s.cluster)).toEqual(['kl-1']);
    b.endSession('s1');
    expect(b.liveSessions()).toEqual([]);
    b.close();
  });

  it('reports a file that is not a database as damaged, and says how to recover', async () => {
    const file = tempFile();
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'this is not sqlite, it is a text file that is long enough to have a header'.repeat(10));
    expect(() => new Store(file)).toThrow(/damaged.*move it aside/);
  });
});

// Fault: `kind create` fails (injected through a provider wrapper). Through the real app with a
// warm pool of one: the pool's own creation fails and backs off; an attendee who arrives meanwhile
// gets a cold creation that is retried once and then a clear START_FAILED over the lab socket,
// with the progress they saw; once kind works again the pool refills by itself and the next
// attendee starts from it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, LabReady } from '../../protocol/lab.js';
import { FlakyProvider } from '../support/flaky-provider.js';
import { type FakeLabApp, startFakeLabApp } from '../support/fake-lab-app.js';

type Health = { sessions: { pool: { ready: number; creating: number; lastError?: string } } };

async function until(what: string, predicate: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('fault: kind create fails', () => {
  const provider = new FlakyProvider();
  let f: FakeLabApp;
  const health = async () => ((await (await fetch(`${f.base}/healthz`)).json()) as Health).sessions.pool;

  beforeAll(async () => {
    provider.failNext = 3; // the pool's first try, then the attendee's two
    f = await startFakeLabApp({ provider, poolSize: 1 });
  });
  afterAll(async () => f?.close());

  it('retries once, tells the attendee what failed and what to do, and the pool refills afterwards', async () => {
    await until('the pool to record its failure', async () => (await health()).lastError !== undefined, 5_000);
    expect((await health()).lastError).toContain('kind create cluster');
    expect((await health()).ready).toBe(0);

    const { socketToken } = await f.visitor();
    const lab = f.socket('/lab', { token: socketToken });
    const progress: string[] = [];
    lab.on('lab:progress', (p: { message: string }) => progress.push(p.message));
    const failed = (await lab.timeout(10_000).emitWithAck('lab:start', { slug: 'pods' })) as Ack<LabReady>;
    expect(failed).toMatchObject({ ok: false, error: { code: 'START_FAILED' } });
    if (failed.ok) return;
    expect(failed.error.message).toBe('your cluster could not be created (2 tries; last error: ERROR: failed to create cluster: timed out waiting for the condition). Press Start again in a minute; if it keeps failing, ask the workshop host to check the server log and /healthz');
    expect(progress.filter((m) => /^creating cluster|once more$/.test(m))).toEqual([expect.stringMatching(/^creating cluster kubelab-/), expect.stringMatching(/^the first try failed; creating cluster kubelab-[0-9a-f]{8} once more$/)]);
    expect(provider.failed).toHaveLength(3);
    expect(f.app.sessions?.status().sessions).toBe(0);

    // kind works again: after its back-off (5 s) the pool creates a cluster without being asked.
    await until('the pool to refill', async () => (await health()).ready === 1, 15_000);
    expect((await health()).lastError).toBeUndefined();
    const progressAgain: string[] = [];
    lab.on('lab:progress', (p: { message: string }) => progressAgain.push(p.message));
    const ready = (await lab.timeout(10_000).emitWithAck('lab:start', { slug: 'pods' })) as Ack<LabReady>;
    expect(ready).toMatchObject({ ok: true, step: 1 });
    expect(progressAgain).toContainEqual(expect.stringMatching(/^using warm cluster kubelab-/));
  }, 30_000);
});

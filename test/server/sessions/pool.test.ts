import { describe, expect, it } from 'vitest';
import { WarmPool, clustersToStart, nextBackoff } from '../../../server/sessions/pool.js';
import type { ClusterInfo, ClusterProvider, ClusterSpec } from '../../../server/clusters/provider.js';

describe('clustersToStart', () => {
  it.each([
    [{ target: 3, ready: 0, creating: 0, maxConcurrent: 1 }, 1],
    [{ target: 3, ready: 0, creating: 0, maxConcurrent: 2 }, 2],
    [{ target: 3, ready: 2, creating: 0, maxConcurrent: 2 }, 1],
    [{ target: 3, ready: 2, creating: 1, maxConcurrent: 2 }, 0],
    [{ target: 3, ready: 3, creating: 0, maxConcurrent: 2 }, 0],
    [{ target: 0, ready: 1, creating: 0, maxConcurrent: 2 }, 0],
  ])('starts the shortfall within the concurrency limit: %j → %i', (state, expected) => {
    expect(clustersToStart({ ...state, backoffUntil: 0, now: 1 })).toBe(expected);
  });

  it('starts nothing while backing off after a failure', () => {
    expect(clustersToStart({ target: 3, ready: 0, creating: 0, maxConcurrent: 2, backoffUntil: 100, now: 50 })).toBe(0);
  });

  it('backs off exponentially up to five minutes', () => {
    expect([1, 2, 3, 10].map(nextBackoff)).toEqual([5000, 10000, 20000, 300000]);
  });
});

/** A provider whose creations finish when the test says so. */
function controllableProvider() {
  const pending: { spec: ClusterSpec; resolve: (c: ClusterInfo) => void; reject: (e: Error) => void }[] = [];
  const deleted: string[] = [];
  const provider: ClusterProvider = {
    create: (spec) => new Promise<ClusterInfo>((resolve, reject) => pending.push({ spec, resolve, reject })),
    delete: async (name) => void deleted.push(name),
    list: async () => [],
    kubeconfig: async () => '',
  };
  const finish = async (ok = true) => {
    const p = pending.shift();
    if (!p) throw new Error('nothing pending');
    if (ok) p.resolve({ name: p.spec.name, network: p.spec.name, nodes: [`${p.spec.name}-control-plane`], labels: {} });
    else p.reject(new Error('kind create failed'));
    await new Promise((r) => setTimeout(r, 0));
  };
  return { provider, pending, deleted, finish };
}

describe('WarmPool', () => {
  it('fills up to its size one at a time and hands out ready clusters first', async () => {
    const p = controllableProvider();
    let n = 0;
    const pool = new WarmPool({ provider: p.provider, size: 2, spec: (name) => ({ name, image: 'node' }), newName: () => `c${++n}` });
    pool.fill();
    expect(pool.status()).toMatchObject({ ready: 0, creating: 1 });
    await p.finish();
    expect(pool.status()).toMatchObject({ ready: 1, creating: 1 });
    await p.finish();
    expect(pool.status()).toMatchObject({ ready: 2, creating: 0 });
    const got = await pool.acquire((name) => ({ name, image: 'node' }));
    expect(got).toMatchObject({ fromPool: true, cluster: { name: 'c1' } });
    expect(pool.status()).toMatchObject({ ready: 1, creating: 1 });
  });

  it('grows when resized (a classroom pre-warms) and deletes its surplus ready clusters when shrunk', async () => {
    const p = controllableProvider();
    let n = 0;
    const pool = new WarmPool({ provider: p.provider, size: 0, spec: (name) => ({ name, image: 'node' }), newName: () => `w${++n}` });
    pool.resize(2);
    expect(pool.status()).toMatchObject({ target: 2, creating: 1 });
    await p.finish();
    await p.finish();
    expect(pool.status()).toMatchObject({ target: 2, ready: 2, creating: 0 });
    pool.resize(0);
    expect(pool.status()).toMatchObject({ target: 0, ready: 0 });
    expect(p.deleted).toEqual(['w1', 'w2']);
  });

  it('creates a cluster on demand when none is ready', async () => {
    const p = controllableProvider();
    const pool = new WarmPool({ provider: p.provider, size: 0, spec: (name) => ({ name, image: 'node' }), newName: () => 'cold' });
    const acquiring = pool.acquire((name) => ({ name, image: 'other' }));
    expect(p.pending[0]?.spec.image).toBe('other');
    await p.finish();
    expect(await acquiring).toMatchObject({ fromPool: false, cluster: { name: 'cold' } });
  });

  it('records a failed creation and backs off instead of retrying in a loop', async () => {
    const p = controllableProvider();
    const errors: unknown[] = [];
    const pool = new WarmPool({ provider: p.provider, size: 1, spec: (name) => ({ name, image: 'node' }), newName: () => 'x', onError: (e) => errors.push(e), now: () => 0 });
    pool.fill();
    await p.finish(false);
    expect(errors).toHaveLength(1);
    expect(pool.status()).toMatchObject({ ready: 0, creating: 0, lastError: 'kind create failed' });
    expect(p.pending).toHaveLength(0);
    await pool.dispose();
  });

  it('deletes ready clusters and those still being created when disposed', async () => {
    const p = controllableProvider();
    let n = 0;
    const pool = new WarmPool({ provider: p.provider, size: 2, maxConcurrent: 2, spec: (name) => ({ name, image: 'node' }), newName: () => `c${++n}` });
    pool.fill();
    await p.finish();
    const disposing = pool.dispose();
    await p.finish();
    await disposing;
    expect(p.deleted.sort()).toEqual(['c1', 'c2']);
  });
});

// A lost cluster on a real kind cluster: the session manager's health probe notices a killed node
// container, the session reports `lost` (Check is refused with the reason), and one recovery
// replaces cluster and toolbox, replays the earlier steps' solutions and keeps the progress.
// Everything this test makes is named kubelab-plat-* and labelled owner=kubelab-plat-e2e, so
// cleaning up never touches other people's clusters on a shared machine.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVersions } from '../../../images/build/targets.js';
import { KindProvider } from '../../../server/clusters/kind.js';
import { loadCatalog } from '../../../server/lessons/load.js';
import { SessionManager, type SessionEvent, dockerSessionHealth, dockerToolboxHost } from '../../../server/sessions/session-manager.js';
import { Store } from '../../../server/store/store.js';
import { removeOwned, until } from '../../support/session-e2e.js';

const OWNER = 'kubelab-plat-e2e';
const PREFIX = 'kubelab-plat-';


describe('a session whose cluster dies', () => {
  let dir: string;
  let store: Store;
  let manager: SessionManager;
  let provider: KindProvider;
  const events: SessionEvent[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kubelab-plat-lost-'));
    store = new Store(path.join(dir, 'kubelab.db'));
    const versions = await readVersions();
    const catalog = await loadCatalog('.');
    provider = await KindProvider.create();
    manager = new SessionManager({
      provider, store, toolboxes: dockerToolboxHost(),
      labs: (slug) => catalog.lessons.find((l) => l.slug === slug),
      nodeImage: versions.node.image, toolboxImage: versions.toolbox.image,
      sessionMinutes: 60, idleMinutes: 30, gated: false, poolSize: 0,
      owner: OWNER, clusterPrefix: PREFIX,
      health: dockerSessionHealth(), healthIntervalMs: 2_000,
    });
    manager.onEvent((event) => events.push(event));
    await manager.initialize();
  });

  afterAll(async () => {
    await manager?.dispose();
    store?.close();
    if (provider) await removeOwned(provider, PREFIX, OWNER);
    await rm(dir, { recursive: true, force: true });
  });

  it('reports lost when the node container is killed, and one recovery gives a working cluster at the same step with progress kept', async () => {
    const ready = await manager.start('v1', 'pods');
    await manager.jump(ready.sessionId, 'v1', 2); // step 1's solution runs: pod web exists
    store.recordCheck('v1', 'pods', 1, true, []);
    const cluster = store.liveSessions()[0]!.cluster;
    expect(cluster.startsWith(PREFIX)).toBe(true);

    await execa('docker', ['kill', `${cluster}-control-plane`]);
    await until('the cluster to be reported lost', () => events.some((e) => e.type === 'cluster' && e.status.state === 'lost'), 120_000);
    const lost = events.find((e) => e.type === 'cluster' && e.status.state === 'lost');
    expect(lost).toMatchObject({ status: { sessionId: ready.sessionId, message: expect.stringMatching(new RegExp(`^Your cluster stopped \\(its node container ${cluster}-control-plane stopped \\(exit code \\d+\\)\\)\\. Reset creates a fresh one; your progress is kept\\.$`)) } });
    await expect(manager.check(ready.sessionId, 'v1')).rejects.toMatchObject({ code: 'CLUSTER_LOST' });
    expect(manager.sessionOf('v1')?.cluster.state).toBe('lost');

    const recovered = await manager.recover(ready.sessionId, 'v1');
    expect(recovered).toEqual({ step: 2, passedSteps: [1] });
    const replacement = store.liveSessions()[0]!;
    expect(replacement.id).toBe(ready.sessionId);
    expect(replacement.cluster).not.toBe(cluster);
    expect(replacement.toolbox).toBe(`${replacement.cluster}-toolbox`);
    expect(manager.sessionOf('v1')?.cluster.state).toBe('ready');
    // Step 1's solution was replayed on the new cluster, through the new toolbox.
    const phase = await execa('docker', ['exec', replacement.toolbox, 'kubectl', 'get', 'pod', 'web', '-o', 'jsonpath={.status.phase}'], { reject: false });
    expect(phase.stdout).toBe('Running');
    // Check reaches the new cluster's API (whatever the step's verdict).
    const checked = await manager.check(ready.sessionId, 'v1');
    expect(checked.results.length).toBeGreaterThan(0);
    expect(checked.results.map((r) => r.message).join('\n')).not.toMatch(/did not answer|unreachable/);
    // The old cluster goes away.
    await until('the old cluster to be deleted', async () => !(await provider.list({ prefix: PREFIX, owner: OWNER })).some((c) => c.name === cluster), 120_000);
    expect(store.progress('v1', 'pods').find((p) => p.step === 1)?.passedAt).not.toBeNull();
  });
});

// An ingress lab on a warm cluster, on real kind: warm clusters are made without the ingress-ready
// label, so taking one for the ingress lesson labels its control plane and takes the reset baseline
// again. The whole lesson is then solved through the session (every solution, Check on the last
// step), and Reset keeps the label. Everything is named kubelab-warmin-* with its own owner label.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVersions } from '../../../images/build/targets.js';
import { KindProvider } from '../../../server/clusters/kind.js';
import { type Lab, loadCatalog } from '../../../server/lessons/load.js';
import { SessionManager, dockerToolboxHost } from '../../../server/sessions/session-manager.js';
import { Store } from '../../../server/store/store.js';
import { removeOwned, until } from '../../support/session-e2e.js';

const OWNER = 'kubelab-warmin-e2e';
const PREFIX = 'kubelab-warmin-';


describe('an ingress lab on a warm cluster', () => {
  let dir: string;
  let store: Store;
  let manager: SessionManager;
  let provider: KindProvider;
  let lab: Lab;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kubelab-warmin-'));
    store = new Store(path.join(dir, 'kubelab.db'));
    const versions = await readVersions();
    const catalog = await loadCatalog('.');
    lab = catalog.lessons.find((l) => l.slug === 'ingress')!;
    provider = await KindProvider.create();
    manager = new SessionManager({
      provider, store, toolboxes: dockerToolboxHost(),
      labs: (slug) => catalog.lessons.find((l) => l.slug === slug),
      nodeImage: versions.node.image, toolboxImage: versions.toolbox.image,
      sessionMinutes: 60, idleMinutes: 30, gated: false, poolSize: 1,
      owner: OWNER, clusterPrefix: PREFIX,
    });
    await manager.initialize();
  }, 120_000);

  afterAll(async () => {
    await manager?.dispose();
    store?.close();
    if (provider) await removeOwned(provider, PREFIX, OWNER);
    await rm(dir, { recursive: true, force: true });
  }, 180_000);

  it('labels the warm control plane, solves every step, and keeps the label across Reset', async () => {
    manager.warmUp();
    await until('a warm cluster', () => (manager.status().pool?.ready ?? 0) >= 1, 240_000);
    const phases: string[] = [];
    const ready = await manager.start('v1', 'ingress', (p) => phases.push(`${p.phase}: ${p.message}`));
    expect(phases.find((p) => p.startsWith('cluster: using warm cluster'))).toBeDefined();
    expect(phases).toContain('cluster: labelling the control plane (ingress-ready)');
    const labelled = () => manager.toolboxExec(ready.sessionId, 'kubectl get nodes -l ingress-ready=true -o name', 30_000);
    expect((await labelled()).output.trim()).toMatch(/^node\/kubelab-warmin-[0-9a-f]+-control-plane$/);

    // Every earlier step's solution through jump, then the last one by hand, and Check passes.
    const last = lab.steps.at(-1)!;
    await manager.jump(ready.sessionId, 'v1', last.number);
    const solved = await manager.toolboxExec(ready.sessionId, last.solution!, 300_000);
    expect(solved.exitCode, solved.output).toBe(0);
    const checked = await manager.check(ready.sessionId, 'v1');
    expect(checked.results.filter((r) => !r.passed)).toEqual([]);
    expect(checked.passed).toBe(true);

    // Reset returns to the baseline taken after the label: the node keeps it.
    await manager.reset(ready.sessionId, 'v1');
    expect((await labelled()).output.trim()).toMatch(/-control-plane$/);
  }, 900_000);
});

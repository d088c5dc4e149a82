import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Catalog, type Lab, loadCatalog } from '../../../server/lessons/load.js';
import {
  SWEEP_INTERVAL_MS,
  SessionManager,
  type HealthObservation,
  type SessionEvent,
  WARN_BEFORE_MS,
  decideLifetime,
  extendedExpiry,
  resumeStep,
  stepRefusal,
} from '../../../server/sessions/session-manager.js';
import { Store } from '../../../server/store/store.js';
import { FakeChecks, FakeClock, FakeEnvironments, FakeProvider, FakeToolboxes } from './session-manager-fakes.js';

const MIN = 60_000;

describe('stepRefusal', () => {
  const lab = { steps: 4, checkedSteps: new Set([1, 3, 4]), passedSteps: new Set<number>(), gated: true };
  it.each([
    [1, new Set<number>(), undefined],
    [2, new Set<number>(), 'STEP_LOCKED'],
    [2, new Set([1]), undefined],
    [3, new Set([1]), undefined], // step 2 has no checks: reading never blocks
    [4, new Set([1]), 'STEP_LOCKED'],
    [5, new Set([1, 3, 4]), 'NO_SUCH_STEP'],
    [0, new Set<number>(), 'NO_SUCH_STEP'],
  ])('step %i with %j passed → %s', (target, passed, code) => {
    expect(stepRefusal(target, { ...lab, passedSteps: passed })?.code).toBe(code);
  });
  it('lets any step open when ungated', () => {
    expect(stepRefusal(4, { ...lab, gated: false })).toBeUndefined();
  });
  it('says which step to pass first', () => {
    expect(stepRefusal(4, { ...lab, passedSteps: new Set([1]) })?.message).toBe('step 4 opens once step 3 passes its checks; press Check on step 3 first');
  });
});

describe('resumeStep', () => {
  it.each([
    [new Set<number>(), 1],
    [new Set([1]), 2],
    [new Set([1, 2, 3]), 4],
    [new Set([1, 2, 3, 4]), 4],
  ])('after %j passed resumes at %i', (passed, step) => {
    expect(resumeStep({ steps: 4, passedSteps: passed })).toBe(step);
  });
});

describe('decideLifetime', () => {
  const idle = 30 * MIN;
  const base = { expiresAt: 120 * MIN, lastActivityAt: 100 * MIN };
  it.each([
    ['keeps a busy session far from its end', base, 101 * MIN, 'keep'],
    ['warns before the lifetime ends', base, 116 * MIN, 'warn'],
    ['warns only once per deadline', { ...base, warnedFor: 120 * MIN }, 116 * MIN, 'keep'],
    ['ends at the lifetime', base, 120 * MIN, 'end'],
    ['warns before going idle', { expiresAt: 500 * MIN, lastActivityAt: 0 }, 26 * MIN, 'warn'],
    ['ends an idle session', { expiresAt: 500 * MIN, lastActivityAt: 0 }, 30 * MIN, 'end'],
  ])('%s', (_name, clock, now, action) => {
    expect(decideLifetime(clock, now, idle).action).toBe(action);
  });
  it('names idleness as the reason when it comes first', () => {
    expect(decideLifetime({ expiresAt: 500 * MIN, lastActivityAt: 0 }, 30 * MIN, idle)).toEqual({ action: 'end', reason: 'idle' });
  });
});

describe('extendedExpiry', () => {
  it('refuses before the warning and extends within it', () => {
    expect(extendedExpiry({ expiresAt: 120 * MIN, lastActivityAt: 0 }, 100 * MIN, 120 * MIN)).toBeUndefined();
    expect(extendedExpiry({ expiresAt: 120 * MIN, lastActivityAt: 0 }, 120 * MIN - WARN_BEFORE_MS, 120 * MIN)).toBe(235 * MIN);
  });
});

describe('SessionManager with fake clusters', () => {
  let catalog: Catalog;
  let store: Store;
  let manager: SessionManager | undefined;
  beforeAll(async () => {
    catalog = await loadCatalog('.');
  });
  afterEach(async () => {
    await manager?.dispose();
    store.close();
  });

  const build = (options: { gated?: boolean; poolSize?: number; maxSessions?: number; warmImages?: string[]; provider?: FakeProvider; toolboxes?: FakeToolboxes; labs?: (slug: string) => Lab | undefined; health?: () => HealthObservation } = {}) => {
    const clock = new FakeClock();
    store = new Store(':memory:', () => clock.now());
    const provider = options.provider ?? new FakeProvider();
    const toolboxes = options.toolboxes ?? new FakeToolboxes();
    const environments = new FakeEnvironments();
    const checks = new FakeChecks();
    manager = new SessionManager({
      provider, store, toolboxes, clock,
      labs: options.labs ?? ((slug) => catalog.lessons.find((l) => l.slug === slug)),
      ...(options.maxSessions !== undefined && { maxSessions: options.maxSessions }),
      ...(options.warmImages && { warmImages: options.warmImages }),
      ...(options.health && { health: () => async () => options.health!() }),
      nodeImage: 'node:test', toolboxImage: 'toolbox:test',
      sessionMinutes: 60, idleMinutes: 20, gated: options.gated ?? true, poolSize: options.poolSize ?? 0,
      environment: environments.create, checks: checks.create,
    });
    return { clock, provider, toolboxes, environments, checks, manager };
  };

  it('starts a lab on a cold cluster with progress, the lab images and the toolbox on its network', async () => {
    const { provider, toolboxes, checks, manager } = build();
    const phases: string[] = [];
    const ready = await manager.start('v1', 'pods', (p) => phases.push(p.phase));
    expect(phases).toEqual(['queued', 'cluster', 'cluster', 'toolbox', 'setup', 'ready']);
    expect(provider.created[0]).toMatchObject({ image: 'node:test', owner: 'kubelab', preloadImages: ['nginx:1.27', 'busybox:1.36'] });
    expect([...toolboxes.running]).toEqual([`${provider.created[0]!.name}-toolbox`]);
    expect(checks.built).toEqual([`kubeconfig external ${provider.created[0]!.name}`]);
    expect(ready).toMatchObject({ slug: 'pods', step: 1, passedSteps: [] });
    expect(ready.sessionToken).toMatch(/^[0-9a-f]{64}$/);
    expect(store.liveSessions()).toHaveLength(1);
  });

  it('returns the running session when the same lab starts again', async () => {
    const { provider, manager } = build();
    const first = await manager.start('v1', 'pods');
    const second = await manager.start('v1', 'pods');
    expect(second.sessionId).toBe(first.sessionId);
    expect(provider.created).toHaveLength(1);
  });

  it('gates steps on Check and records attempts in the store', async () => {
    const { checks, manager } = build();
    const { sessionId } = await manager.start('v1', 'pods');
    await expect(manager.goto(sessionId, 'v1', 2)).rejects.toMatchObject({ code: 'STEP_LOCKED' });
    const failed = await manager.check(sessionId, 'v1');
    expect(failed).toMatchObject({ step: 1, passed: false, passedSteps: [] });
    expect(failed.results.map((r) => r.id)).toEqual(['web-exists', 'web-image', 'web-running']);
    checks.passing = true;
    expect(await manager.check(sessionId, 'v1')).toMatchObject({ passed: true, passedSteps: [1] });
    expect(store.checkAttempts('v1', 'pods', 1)).toBe(2);
    expect(await manager.goto(sessionId, 'v1', 2)).toEqual({ step: 2, passedSteps: [1] });
  });

  it('refuses another visitor acting on a session', async () => {
    const { manager } = build();
    const { sessionId } = await manager.start('v1', 'pods');
    await expect(manager.check(sessionId, 'v2')).rejects.toMatchObject({ code: 'NO_SUCH_SESSION' });
  });

  it('jumps ungated by resetting and applying the earlier solutions', async () => {
    const { environments, manager } = build({ gated: false });
    const { sessionId } = await manager.start('v1', 'pods');
    environments.calls.length = 0;
    expect(await manager.jump(sessionId, 'v1', 3)).toEqual({ step: 3, passedSteps: [] });
    expect(environments.calls).toEqual(['reset', 'run kubectl run web --image=nginx:1.27', expect.stringMatching(/^run /)]);
  });

  it('reports a failing solution during a jump', async () => {
    const { environments, manager } = build({ gated: false });
    const { sessionId } = await manager.start('v1', 'pods');
    environments.failSolutions = true;
    await expect(manager.jump(sessionId, 'v1', 2)).rejects.toMatchObject({ code: 'SOLUTION_FAILED' });
  });

  it('warns before the end, refuses early extension, extends within the warning, then ends and deletes the cluster', async () => {
    const { clock, provider, manager } = build();
    await manager.initialize();
    const events: string[] = [];
    manager.onEvent((e) => events.push(e.type === 'timer' ? `timer ${e.timer.warning}` : e.type === 'ended' ? `ended ${e.reason}` : 'cluster'));
    const { sessionId } = await manager.start('v1', 'pods');
    expect(() => manager.extend(sessionId, 'v1')).toThrow(expect.objectContaining({ code: 'TOO_EARLY_TO_EXTEND' }));
    for (let t = 0; t < 16 * MIN; t += SWEEP_INTERVAL_MS) clock.advance(SWEEP_INTERVAL_MS);
    expect(events).toEqual(['timer true']); // idle (20 min) comes before the lifetime (60 min)
    manager.touch(sessionId);
    expect(events).toEqual(['timer true', 'timer false']);
    for (let t = 0; t < 21 * MIN; t += SWEEP_INTERVAL_MS) clock.advance(SWEEP_INTERVAL_MS);
    expect(events.at(-1)).toBe('ended idle');
    await manager.dispose();
    expect(provider.deleted).toHaveLength(1);
    expect(store.liveSessions()).toEqual([]);
  });

  it('refuses an unknown lab and leaves the running session alone', async () => {
    const { provider, manager } = build();
    await manager.start('v1', 'pods');
    await expect(manager.start('v1', 'no-such-lab')).rejects.toMatchObject({ code: 'NO_SUCH_LAB' });
    expect(provider.created).toHaveLength(1);
  });

  it('on start, re-adopts a live session whose cluster exists and deletes clusters and toolboxes nobody owns', async () => {
    const provider = new FakeProvider();
    const toolboxes = new FakeToolboxes();
    const first = build({ provider, toolboxes });
    const ready = await first.manager.start('v1', 'pods');
    await first.manager.dispose(); // a restart: the cluster stays
    await provider.create({ name: 'kubelab-orphan', image: 'x' });
    await provider.create({ name: 'kubelab-e2e', image: 'x', owner: 'e2e' });
    await toolboxes.start({ name: 'kubelab-orphan-toolbox' });
    const again = new SessionManager({
      provider, store, toolboxes, clock: first.clock,
      labs: (slug) => catalog.lessons.find((l) => l.slug === slug),
      nodeImage: 'n', toolboxImage: 't', sessionMinutes: 60, idleMinutes: 20, gated: true, poolSize: 0,
      environment: first.environments.create, checks: first.checks.create,
    });
    manager = again;
    await again.initialize();
    expect(again.sessionOf('v1')?.sessionId).toBe(ready.sessionId);
    expect(provider.deleted).toEqual(['kubelab-orphan']);
    expect(toolboxes.removed).toEqual(['kubelab-orphan-toolbox']);
    // Sorted by hand: sorting a list that holds a matcher would order it by '[object Object]'.
    expect([...provider.clusters.keys()].sort((a, b) => Number(a === 'kubelab-e2e') - Number(b === 'kubelab-e2e'))).toEqual([expect.stringMatching(/^kubelab-[0-9a-f]{8}$/), 'kubelab-e2e']);
  });

  it('takes a warm cluster for a single-node lab and loads its images into it', async () => {
    const { provider, manager } = build({ poolSize: 1 });
    manager.warmUp();
    await new Promise((r) => setTimeout(r, 10));
    const phases: string[] = [];
    await manager.start('v1', 'pods', (p) => phases.push(`${p.phase}: ${p.message}`));
    expect(phases[1]).toMatch(/^cluster: using warm cluster kubelab-/);
    expect(provider.loaded).toEqual([{ name: provider.created[0]!.name, images: ['nginx:1.27', 'busybox:1.36'] }]);
  });

  it('hands out a warm cluster with its toolbox already running, loading only the images it lacks', async () => {
    const { provider, toolboxes, manager } = build({ poolSize: 1, warmImages: ['nginx:1.27', 'nginx:1.26'] });
    manager.warmUp();
    await new Promise((r) => setTimeout(r, 10));
    const warm = provider.created[0]!;
    expect(warm.preloadImages).toEqual(['nginx:1.27', 'nginx:1.26']);
    expect([...toolboxes.running]).toEqual([`${warm.name}-toolbox`]);
    const phases: string[] = [];
    const ready = await manager.start('v1', 'pods', (p) => phases.push(p.phase));
    expect(provider.loaded).toEqual([{ name: warm.name, images: ['busybox:1.36'] }]);
    expect(phases).not.toContain('toolbox');
    expect(ready.slug).toBe('pods');
    await new Promise((r) => setTimeout(r, 10)); // the pool refills: a second cluster, a second toolbox
    expect(toolboxes.running.size).toBe(2);
    await manager.dispose();
    expect([...toolboxes.running]).toEqual([`${warm.name}-toolbox`]); // the warm one's toolbox went with its cluster; the session keeps its own
  });

  it('gives an ingress lab a warm cluster, labels its control plane and takes the reset baseline after the label', async () => {
    const { provider, toolboxes, environments, checks, manager } = build({ poolSize: 1 });
    manager.warmUp();
    await new Promise((r) => setTimeout(r, 10));
    const warm = provider.created[0]!;
    expect(warm.controlPlaneLabels).toBeUndefined();
    const phases: string[] = [];
    await manager.start('v1', 'ingress', (p) => phases.push(`${p.phase}: ${p.message}`));
    expect(phases).toContain(`cluster: using warm cluster ${warm.name}`);
    expect(phases).toContain('cluster: labelling the control plane (ingress-ready)');
    expect(toolboxes.executed).toEqual([{ toolbox: `${warm.name}-toolbox`, script: 'kubectl label node -l node-role.kubernetes.io/control-plane --overwrite ingress-ready=true' }]);
    // Wired once in the pool and once more after the label: the session's baseline includes it.
    expect(checks.built.filter((k) => k === `kubeconfig external ${warm.name}`)).toHaveLength(2);
    expect(environments.calls[0]).toMatch(/^setup /);
    expect(provider.created.every((spec) => spec.controlPlaneLabels === undefined)).toBe(true);
  });

  describe('with limited seats', () => {
    const settle = () => new Promise((r) => setTimeout(r, 10));

    it('refuses a start beyond the limit with the seat count, creating nothing, and starts again once a seat frees', async () => {
      const { provider, toolboxes, manager } = build({ maxSessions: 2 });
      const first = await manager.start('v1', 'pods');
      await manager.start('v2', 'pods');
      await expect(manager.start('v3', 'pods')).rejects.toMatchObject({ code: 'NO_SEATS', message: 'all 2 seats are in use; try again in a few minutes or ask the instructor' });
      expect(provider.created).toHaveLength(2);
      expect(toolboxes.running.size).toBe(2);
      expect(store.liveSessions()).toHaveLength(2);
      expect(manager.status()).toMatchObject({ sessions: 2, starting: 0, maxSessions: 2 });
      await manager.end(first.sessionId, 'v1');
      await expect(manager.start('v3', 'pods')).resolves.toMatchObject({ slug: 'pods' });
    });

    it('counts starts still under way, so two visitors cannot take the last seat at once', async () => {
      const { provider, manager } = build({ maxSessions: 1 });
      const results = await Promise.allSettled([manager.start('v1', 'pods'), manager.start('v2', 'pods')]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
      expect(provider.created).toHaveLength(1);
    });

    it('fills the pool only into free seats: warm clusters count toward the limit', async () => {
      const { provider, manager } = build({ maxSessions: 2, poolSize: 1 });
      manager.warmUp();
      await settle();
      await manager.start('v1', 'pods'); // takes the warm cluster; the pool refills the second seat
      await settle();
      expect(manager.status().pool).toMatchObject({ ready: 1, creating: 0 });
      await manager.start('v2', 'pods'); // takes it; no seat is left for another
      await settle();
      expect(manager.status().pool).toMatchObject({ ready: 0, creating: 0 });
      expect(provider.created).toHaveLength(2);
      await expect(manager.start('v3', 'pods')).rejects.toMatchObject({ code: 'NO_SEATS' });
      expect(provider.created).toHaveLength(2);
    });

    it('removes a warm cluster a multi-node lab cannot use when it holds the last seat', async () => {
      const pods = catalog.lessons.find((l) => l.slug === 'pods') as Lab;
      const wide = { ...pods, slug: 'wide', manifest: { ...pods.manifest, cluster: { ...pods.manifest.cluster, workers: 1 } } } as Lab;
      const { provider, manager } = build({ maxSessions: 1, poolSize: 1, labs: (slug) => (slug === 'wide' ? wide : undefined) });
      manager.warmUp();
      await settle();
      const warm = provider.created[0]!.name;
      await manager.start('v1', 'wide');
      expect(provider.deleted).toEqual([warm]);
      expect(provider.clusters.size).toBe(1);
      expect(provider.created.at(-1)).toMatchObject({ workers: 1 });
    });
  });

  describe('when the cluster is lost', () => {
    const HEALTHY: HealthObservation = { containers: [], api: { ok: true } };

    it('says so from the probe, refuses Check with the reason, and recovery replaces cluster and toolbox at the same step with the earlier solutions replayed', async () => {
      let observation = HEALTHY;
      const { provider, toolboxes, environments, checks, manager } = build({ gated: false, health: () => observation });
      const events: SessionEvent[] = [];
      manager.onEvent((e) => events.push(e));
      const lostEvents = () => events.filter((e) => e.type === 'cluster' && e.status.state === 'lost');
      const ready = await manager.start('v1', 'pods');
      await manager.jump(ready.sessionId, 'v1', 3);
      await manager.probeHealth();
      expect(lostEvents()).toHaveLength(0);

      const first = provider.created[0]!.name;
      observation = { containers: [{ name: `${first}-control-plane`, role: 'node', status: 'exited', exitCode: 137 }], api: { ok: false, error: 'refused' } };
      await manager.probeHealth();
      await manager.probeHealth(); // announced once
      expect(lostEvents()).toEqual([{ type: 'cluster', visitorId: 'v1', status: { sessionId: ready.sessionId, state: 'lost', message: `Your cluster stopped (its node container ${first}-control-plane stopped (exit code 137)). Reset creates a fresh one; your progress is kept.` } }]);
      expect(manager.sessionOf('v1')?.cluster).toMatchObject({ state: 'lost' });
      await expect(manager.check(ready.sessionId, 'v1')).rejects.toMatchObject({ code: 'CLUSTER_LOST', message: expect.stringContaining('Reset creates a fresh one') });
      await expect(manager.goto(ready.sessionId, 'v1', 2)).rejects.toMatchObject({ code: 'CLUSTER_LOST' });

      observation = HEALTHY;
      environments.calls.length = 0;
      expect(await manager.recover(ready.sessionId, 'v1')).toEqual({ step: 3, passedSteps: [] });
      await new Promise((r) => setTimeout(r, 10)); // the old cluster's teardown runs in the background
      const second = provider.created[1]!.name;
      expect(provider.deleted).toEqual([first]);
      expect([...toolboxes.running]).toEqual([`${second}-toolbox`]);
      expect(checks.built.at(-1)).toBe(`kubeconfig external ${second}`);
      expect(environments.calls.filter((c) => c.startsWith('run '))).toEqual(['run kubectl run web --image=nginx:1.27', expect.stringMatching(/^run /)]);
      expect(environments.calls).not.toContain('reset');
      expect(store.liveSessions()).toMatchObject([{ id: ready.sessionId, cluster: second, toolbox: `${second}-toolbox` }]);
      expect(events.at(-1)).toEqual({ type: 'cluster', visitorId: 'v1', status: { sessionId: ready.sessionId, state: 'ready', message: 'ready' } });
      await expect(manager.check(ready.sessionId, 'v1')).resolves.toMatchObject({ step: 3 });
    });

    it('keeps a session whose API misses a probe or two, and loses it on the third miss in a row', async () => {
      let observation = HEALTHY;
      const { manager } = build({ health: () => observation });
      const ready = await manager.start('v1', 'pods');
      const silent: HealthObservation = { containers: [], api: { ok: false, error: 'timeout' } };
      for (const next of [silent, silent, HEALTHY, silent, silent]) {
        observation = next;
        await manager.probeHealth();
      }
      expect(manager.sessionOf('v1')?.cluster.state).toBe('ready');
      await manager.probeHealth();
      expect(manager.sessionOf('v1')?.cluster).toEqual({ sessionId: ready.sessionId, state: 'lost', message: expect.stringContaining('did not answer 3 times in a row: timeout') });
    });

    it('a reset of a lost session replaces the cluster too, then opens step 1', async () => {
      let observation: HealthObservation = { containers: [{ name: 'x-toolbox', role: 'toolbox', status: 'missing' }], api: { ok: true } };
      const { provider, manager } = build({ health: () => observation });
      const ready = await manager.start('v1', 'pods');
      await manager.probeHealth();
      observation = HEALTHY;
      expect(await manager.reset(ready.sessionId, 'v1')).toEqual({ step: 1, passedSteps: [] });
      expect(provider.created).toHaveLength(2);
      expect(manager.sessionOf('v1')?.cluster.state).toBe('ready');
    });
  });
});

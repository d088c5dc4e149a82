// When an attendee's Check retries: the pure decision on recorded objects, and evaluateCheck with
// retry 'converging' against a fake reader whose objects change while the check waits.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../server/checks/cluster-reader.js';
import { SETTLE_GRACE_MS, convergingReason, objectTransition } from '../../../server/checks/convergence.js';
import { evaluateCheck } from '../../../server/checks/evaluate.js';
import { checkSpecSchema } from '../../../server/checks/spec.js';
import { FakeCluster, FakeRunner, fixture } from './fake-cluster.js';

type Fields = Record<string, unknown>;
/** The recorded running pod, named web, with another status. */
const web = (): KubeObject => {
  const pod = fixture('pod-web-running');
  return { ...pod, metadata: { ...pod.metadata, name: 'web' } };
};
const podStatus = (status: Fields): KubeObject => ({ ...web(), status });
const waiting = (reason: string) => ({ containerStatuses: [{ name: 'nginx', ready: false, state: { waiting: { reason } } }] });

describe('objectTransition', () => {
  it.each<[string, KubeObject, string | undefined]>([
    ['a running pod', fixture('pod-web-running'), undefined],
    ['a pod in ImagePullBackOff (stays until fixed)', fixture('pod-web-imagepullbackoff'), undefined],
    ['a pod pulling its image', podStatus({ phase: 'Pending', ...waiting('ContainerCreating') }), 'pod web is ContainerCreating'],
    ['a pod waiting for its init containers', podStatus({ phase: 'Pending', initContainerStatuses: [{ state: { waiting: { reason: 'PodInitializing' } } }] }), 'pod web is PodInitializing'],
    ['a pod not yet scheduled', podStatus({ phase: 'Pending', conditions: [] }), 'pod web is Pending'],
    ['a pod that cannot be scheduled', podStatus({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] }), undefined],
    ['a crash-looping pod', podStatus({ phase: 'Running', ...waiting('CrashLoopBackOff') }), undefined],
    ['a pod being deleted', { ...web(), metadata: { ...web().metadata, deletionTimestamp: '2025-03-04T10:30:00Z' } }, 'pod web is being deleted'],
    ['a deployment mid-rollout', fixture('deployment-web-rolling'), expect.stringContaining('deployment web') as unknown as string],
    ['a rolled-out deployment', fixture('deployment-web-complete'), undefined],
    ['a completed job', fixture('job-migrate-complete'), undefined],
    ['a job with an active pod', { ...fixture('job-migrate-complete'), status: { active: 1 } }, 'job migrate has 1 active pod(s)'],
    ['a terminating namespace', { kind: 'Namespace', metadata: { name: 'shop' }, status: { phase: 'Terminating' } }, 'namespace shop is terminating'],
    ['a config map', { kind: 'ConfigMap', metadata: { name: 'cfg' } }, undefined],
  ])('%s', (_what, object, expected) => {
    expect(objectTransition(object)).toEqual(expected);
  });

  it('treats a rollout past its progress deadline as settled', () => {
    const stuck = fixture('deployment-web-rolling');
    const status = stuck.status as { conditions: Fields[] };
    status.conditions = [...status.conditions.filter((c) => c.type !== 'Progressing'), { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }];
    expect(objectTransition(stuck)).toBeUndefined();
  });
});

describe('convergingReason', () => {
  const wrong = { verdict: { passed: false, message: 'pod web: .status.phase is Pending, expected Running', actual: 'Pending' }, objects: [fixture('pod-web-imagepullbackoff')] };

  it('always retries within the grace period after pressing Check', () => {
    expect(convergingReason(undefined, wrong, 0)).toBeDefined();
    expect(convergingReason(wrong, wrong, SETTLE_GRACE_MS - 1)).toBeDefined();
  });

  it('stops once a wrong state holds still after the grace period', () => {
    expect(convergingReason(wrong, wrong, SETTLE_GRACE_MS)).toBeUndefined();
  });

  it('keeps going while the observed value or an object changes', () => {
    const changed = { ...wrong, verdict: { ...wrong.verdict, actual: 'Failed', message: 'pod web: .status.phase is Failed, expected Running' } };
    expect(convergingReason(wrong, changed, 5_000)).toBe('the observed value changed since the last attempt');
    const touched = { ...wrong, objects: [{ ...fixture('pod-web-imagepullbackoff'), metadata: { ...fixture('pod-web-imagepullbackoff').metadata, resourceVersion: '9999' } }] };
    expect(convergingReason(wrong, touched, 5_000)).toBe('an object the check reads changed since the last attempt');
  });

  it('keeps going while an object it read is in transition, even when nothing else changes', () => {
    const creating = { ...wrong, objects: [podStatus({ phase: 'Pending', ...waiting('ContainerCreating') })] };
    expect(convergingReason(creating, creating, 30_000)).toBe('pod web is ContainerCreating');
  });
});

describe("evaluateCheck with retry: 'converging'", () => {
  const input = { id: 'web', title: 'Pod web is Running', kind: 'field', resource: { kind: 'Pod', name: 'web' }, path: '{.status.phase}', equals: 'Running', retryFor: '60s' };
  const webRunning = checkSpecSchema.parse(input);
  const converging = (cluster: FakeCluster) => ({ reader: cluster, runner: new FakeRunner(), retry: 'converging' as const });

  it('reports a settled wrong state within about two seconds although retryFor is a minute', async () => {
    const backoff = fixture('pod-web-imagepullbackoff');
    const result = await evaluateCheck(webRunning, converging(new FakeCluster([{ ...backoff, metadata: { ...backoff.metadata, name: 'web' } }])));
    expect(result).toMatchObject({ passed: false, actual: 'Pending' });
    expect(result.durationMs).toBeGreaterThanOrEqual(SETTLE_GRACE_MS);
    expect(result.durationMs).toBeLessThan(3_000);
    expect(result.attempts).toBeGreaterThanOrEqual(3);
  });

  it('reports a missing object within about two seconds too', async () => {
    const result = await evaluateCheck(webRunning, converging(new FakeCluster([])));
    expect(result.passed).toBe(false);
    expect(result.durationMs).toBeLessThan(3_000);
  });

  it('waits past the grace period while the pod is still being created, and passes when it runs', async () => {
    const cluster = new FakeCluster([podStatus({ phase: 'Pending', ...waiting('ContainerCreating') })]);
    setTimeout(() => (cluster.objects = [web()]), 3_500);
    const result = await evaluateCheck(webRunning, converging(cluster));
    expect(result.passed).toBe(true);
    expect(result.durationMs).toBeGreaterThanOrEqual(3_400);
  });

  it('never waits longer than retryFor, however long the transition lasts', async () => {
    const cluster = new FakeCluster([podStatus({ phase: 'Pending', ...waiting('ContainerCreating') })]);
    const spec = checkSpecSchema.parse({ ...input, retryFor: '2500ms' });
    const result = await evaluateCheck(spec, converging(cluster));
    expect(result.passed).toBe(false);
    expect(result.durationMs).toBeGreaterThanOrEqual(2_400);
    expect(result.durationMs).toBeLessThan(3_500);
  });

  it('with retry: true (kubelab test after a solution) still waits for a wrong state to come right', async () => {
    const backoff = fixture('pod-web-imagepullbackoff');
    const cluster = new FakeCluster([{ ...backoff, metadata: { ...backoff.metadata, name: 'web' } }]);
    setTimeout(() => (cluster.objects = [web()]), 2_500);
    const result = await evaluateCheck(webRunning, { reader: cluster, runner: new FakeRunner(), retry: true });
    expect(result.passed).toBe(true);
    expect(result.durationMs).toBeGreaterThanOrEqual(2_400);
  });
});

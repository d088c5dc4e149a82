import { describe, expect, it } from 'vitest';
import { ClusterReadError } from '../../../server/checks/cluster-reader.js';
import type { KubeObject } from '../../../server/checks/cluster-reader.js';
import { accessQuestion, evaluateCheck, evaluateChecks, formatDuration } from '../../../server/checks/evaluate.js';
import type { CheckContext } from '../../../server/checks/evaluate.js';
import type { CheckSpec } from '../../../server/checks/spec.js';
import { checkSpecSchema } from '../../../server/checks/spec.js';
import { FakeCluster, FakeRunner, fixture } from './fake-cluster.js';

function check(input: Record<string, unknown>): CheckSpec {
  return checkSpecSchema.parse({ id: 'the-check', title: 'The check', ...input });
}

function named(name: string, object: KubeObject): KubeObject {
  return { ...object, metadata: { ...object.metadata, name } };
}

const webRunningInput = { kind: 'field', resource: { kind: 'Pod', name: 'web' }, path: '{.status.phase}', equals: 'Running' };
const webRunning = check(webRunningInput);

function context(cluster: FakeCluster, runner = new FakeRunner(), extra: Partial<CheckContext> = {}): CheckContext {
  return { reader: cluster, runner, pollIntervalMs: 20, ...extra };
}

describe('evaluateCheck reads the cluster the way the check says', () => {
  it('looks in namespace default for a namespaced kind and returns a structured result', async () => {
    const cluster = new FakeCluster([named('web', fixture('pod-web-imagepullbackoff'))]);
    const result = await evaluateCheck(webRunning, context(cluster));
    expect(cluster.calls).toEqual(['kindInfo v1 Pod', 'get Pod default/web']);
    expect(result).toMatchObject({
      id: 'the-check',
      title: 'The check',
      passed: false,
      message: 'pod web: .status.phase is Pending, expected Running',
      expected: 'Running',
      actual: 'Pending',
      attempts: 1,
    });
    expect(result.hint).toBeUndefined();
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('asks for cluster-scoped kinds without a namespace', async () => {
    const cluster = new FakeCluster([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'old' } }]);
    const result = await evaluateCheck(check({ kind: 'absent', resource: { kind: 'Namespace', name: 'old' } }), context(cluster));
    expect(cluster.calls).toContain('get Namespace -/old');
    expect(result).toMatchObject({ passed: false, message: 'namespace old still exists' });
  });

  it('lists with the selectors and namespace the check names', async () => {
    const shopPod = { ...fixture('pod-web-running'), metadata: { ...fixture('pod-web-running').metadata, namespace: 'shop' } };
    const cluster = new FakeCluster([shopPod, fixture('pod-web-imagepullbackoff')]);
    const result = await evaluateCheck(check({ kind: 'count', resource: { kind: 'Pod', namespace: 'shop', labelSelector: 'app=web', fieldSelector: 'status.phase=Running' }, equals: 1 }), context(cluster));
    expect(cluster.calls).toContain('list Pod shop app=web status.phase=Running');
    expect(result.passed).toBe(true);
  });

  it('reads custom resources the cluster serves, and says when it serves no such kind', async () => {
    const cluster = new FakeCluster([fixture('widget-blue')]);
    const blue = check({ kind: 'field', resource: { apiVersion: 'example.com/v1', kind: 'Widget', name: 'blue' }, path: '{.spec.color}', equals: 'blue' });
    const missing = await evaluateCheck(blue, context(cluster));
    expect(missing).toMatchObject({ passed: false, message: 'the cluster serves no kind Widget in example.com/v1' });
    cluster.customKinds.set('example.com/v1 Widget', { resource: 'widgets', namespaced: true });
    expect(await evaluateCheck(blue, context(cluster))).toMatchObject({ passed: true, message: 'widget blue: .spec.color is blue' });
  });

  it.each([
    [new ClusterReadError('unreachable', "the cluster's API server at https://127.0.0.1:41234 did not answer (connect ECONNREFUSED)")],
    [new ClusterReadError('forbidden', 'kubelab is not allowed to get pod web in namespace default (403 pods "web" is forbidden)')],
  ])('turns a read error into a failed result with its message: %s', async (error) => {
    const cluster = new FakeCluster();
    cluster.behaviour = { error };
    const result = await evaluateCheck(webRunning, context(cluster));
    expect(result).toMatchObject({ passed: false, message: error.message, attempts: 1 });
  });

  it('turns an unexpected exception into a failed result instead of throwing', async () => {
    const runner = new FakeRunner(() => {
      throw new Error('docker: container kubelab-toolbox is not running');
    });
    const result = await evaluateCheck(check({ kind: 'script', run: 'kubectl get pods' }), context(new FakeCluster(), runner));
    expect(result).toMatchObject({ passed: false, message: 'the check could not run: docker: container kubelab-toolbox is not running' });
  });
});

describe('evaluateCheck timing', () => {
  it('fails a check whose cluster does not answer within its timeout, and aborts the request', async () => {
    const cluster = new FakeCluster([fixture('pod-web-running')]);
    cluster.behaviour = { stallMs: 10_000 };
    const started = Date.now();
    const result = await evaluateCheck(check({ kind: 'exists', resource: { kind: 'Pod', name: 'web' }, timeout: '100ms' }), context(cluster));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result).toMatchObject({
      passed: false,
      message: 'the cluster did not answer within 100ms; it may be busy or still starting, press Check again in a moment',
      actual: 'timed out',
    });
  });

  it('fails a script that outlives its timeout even if the runner ignores the signal', async () => {
    const runner = new FakeRunner(() => new Promise((resolve) => setTimeout(() => resolve({ exitCode: 0, output: 'late' }), 1000)));
    const result = await evaluateCheck(check({ kind: 'script', run: 'sleep 60', timeout: '50ms' }), context(new FakeCluster(), runner));
    expect(result).toMatchObject({ passed: false, message: 'the script did not finish within 50ms' });
  });

  it('re-evaluates within retryFor until the check passes', async () => {
    const pod = named('web', fixture('pod-web-imagepullbackoff'));
    const cluster = new FakeCluster([pod]);
    let reads = 0;
    const get = cluster.get.bind(cluster);
    cluster.get = async (ref, options) => {
      reads += 1;
      if (reads === 3) pod.status = fixture('pod-web-running').status;
      return get(ref, options);
    };
    const result = await evaluateCheck(check({ ...webRunningInput, retryFor: '5s' }), context(cluster));
    expect(result).toMatchObject({ passed: true, attempts: 3, message: 'pod web: .status.phase is Running' });
  });

  it('gives up when the retry window ends and reports the last state', async () => {
    const cluster = new FakeCluster([named('web', fixture('pod-web-imagepullbackoff'))]);
    const result = await evaluateCheck(check({ ...webRunningInput, retryFor: '200ms' }), context(cluster, new FakeRunner(), { pollIntervalMs: 50 }));
    expect(result.passed).toBe(false);
    expect(result.attempts).toBeGreaterThanOrEqual(3);
    expect(result.durationMs).toBeGreaterThanOrEqual(190);
    expect(result.message).toBe('pod web: .status.phase is Pending, expected Running');
  });

  it('evaluates once when told not to retry, as kubelab test does before a solution', async () => {
    const cluster = new FakeCluster([named('web', fixture('pod-web-imagepullbackoff'))]);
    const result = await evaluateCheck(check({ ...webRunningInput, retryFor: '5s' }), context(cluster, new FakeRunner(), { retry: false }));
    expect(result).toMatchObject({ passed: false, attempts: 1 });
  });

  it('stops at once when the caller cancels, saying so', async () => {
    const cluster = new FakeCluster();
    cluster.behaviour = { stallMs: 10_000 };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await evaluateCheck(check({ ...webRunningInput, retryFor: '1m' }), context(cluster, new FakeRunner(), { signal: controller.signal }));
    expect(result).toMatchObject({ passed: false, message: 'the check was cancelled before it finished', attempts: 1 });
    expect(result.durationMs).toBeLessThan(2000);
  });

  it('runs the checks of a step concurrently and returns them in order', async () => {
    const runner = new FakeRunner(async (script) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      return { exitCode: script === 'ok' ? 0 : 1, output: script };
    });
    const started = Date.now();
    const results = await evaluateChecks(
      [check({ id: 'first', kind: 'script', run: 'ok' }), check({ id: 'second', kind: 'script', run: 'not ok' }), check({ id: 'third', kind: 'script', run: 'ok' })],
      context(new FakeCluster(), runner),
    );
    expect(Date.now() - started).toBeLessThan(400);
    expect(results.map((r) => [r.id, r.passed])).toEqual([
      ['first', true],
      ['second', false],
      ['third', true],
    ]);
  });
});

describe('evaluateCheck hints', () => {
  const withHints = check({
    ...webRunningInput,
    hint: 'Look at kubectl describe pod web.',
    hints: [
      { when: { kind: 'absent', resource: { kind: 'Pod', name: 'web' } }, text: 'There is no pod web yet; create it.' },
      { when: { kind: 'count', resource: { kind: 'Pod', labelSelector: 'app=web' }, where: { path: '{.status.containerStatuses[*].state.waiting.reason}', oneOf: ['ImagePullBackOff', 'ErrImagePull'] }, atLeast: 1 }, text: 'The image cannot be pulled; check its tag.' },
    ],
  });

  it('shows the first conditional hint whose condition passes', async () => {
    const result = await evaluateCheck(withHints, context(new FakeCluster([named('web', fixture('pod-web-imagepullbackoff'))])));
    expect(result).toMatchObject({ passed: false, hint: 'The image cannot be pulled; check its tag.' });
  });

  it('prefers an earlier hint when several apply', async () => {
    const result = await evaluateCheck(withHints, context(new FakeCluster([fixture('pod-web-imagepullbackoff')])));
    expect(result.hint).toBe('There is no pod web yet; create it.');
  });

  it('falls back to the static hint when no condition passes', async () => {
    const pending = named('web', fixture('pod-web-running'));
    pending.status = { phase: 'Pending' };
    const result = await evaluateCheck(withHints, context(new FakeCluster([pending])));
    expect(result.hint).toBe('Look at kubectl describe pod web.');
  });

  it('shows no hint when the check passes', async () => {
    const result = await evaluateCheck(withHints, context(new FakeCluster([named('web', fixture('pod-web-running'))])));
    expect(result.passed).toBe(true);
    expect(result).not.toHaveProperty('hint');
  });
});

describe('evaluateCheck: access, http and scripts', () => {
  it('asks about a service account as its user and groups, authenticated as under kubectl --as', () => {
    const spec = check({ kind: 'can', as: { serviceAccount: 'shop/deployer' }, verb: 'create', resource: { group: 'apps', resource: 'deployments', namespace: 'shop' }, expect: 'allowed' });
    if (spec.kind !== 'can') throw new Error('parsed as the wrong kind');
    expect(accessQuestion(spec)).toEqual({
      user: 'system:serviceaccount:shop:deployer',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'],
      verb: 'create',
      group: 'apps',
      resource: 'deployments',
      subresource: undefined,
      namespace: 'shop',
      name: undefined,
    });
  });

  it('judges the answer of the access review', async () => {
    const cluster = new FakeCluster();
    cluster.access = (q) => ({ allowed: q.user === 'alice' && q.verb === 'get' });
    const spec = { kind: 'can', as: { user: 'alice' }, resource: { resource: 'secrets', namespace: 'default' }, expect: 'denied' };
    expect(await evaluateCheck(check({ ...spec, verb: 'get' }), context(cluster))).toMatchObject({ passed: false, message: 'alice can get secrets in namespace default, expected denied' });
    expect(await evaluateCheck(check({ ...spec, verb: 'delete' }), context(cluster))).toMatchObject({ passed: true });
  });

  it('GETs a service through the proxy in namespace default at / unless told otherwise', async () => {
    const cluster = new FakeCluster();
    cluster.http = (target, path) => (path === '/' ? { status: 200, body: 'Welcome to nginx!' } : { status: 404, body: 'not found' });
    const result = await evaluateCheck(check({ kind: 'http', service: { name: 'web', port: 80 }, expect: { bodyMatches: 'Welcome' } }), context(cluster));
    expect(cluster.calls).toEqual(['proxy default/web:80/']);
    expect(result).toMatchObject({ passed: true, message: 'GET / on service web:80 answered 200' });
    const health = await evaluateCheck(check({ kind: 'http', service: { name: 'web', namespace: 'shop', port: 'http' }, path: '/healthz' }), context(cluster));
    expect(health).toMatchObject({ passed: false, message: 'GET /healthz on service web:http in namespace shop answered 404, expected 200; the body begins: not found' });
  });

  it('fetches a URL with curl in the toolbox and says when there is no answer', async () => {
    const runner = new FakeRunner((script) =>
      script.includes('shop.localtest.me') ? { exitCode: 6, output: 'curl: (6) Could not resolve host: shop.localtest.me' } : { exitCode: 0, output: '200\n<h1>Shop</h1>' },
    );
    const ok = await evaluateCheck(check({ kind: 'http', url: 'http://web.localtest.me/', expect: { bodyMatches: 'Shop' } }), context(new FakeCluster(), runner));
    expect(ok).toMatchObject({ passed: true, message: 'GET http://web.localtest.me/ answered 200' });
    expect(runner.scripts[0]).toContain("curl -sS -o \"$body\" -w '%{http_code}' --max-time 5 -- 'http://web.localtest.me/'");
    const failed = await evaluateCheck(check({ kind: 'http', url: 'http://shop.localtest.me/' }), context(new FakeCluster(), runner));
    expect(failed).toMatchObject({ passed: false, message: 'GET http://shop.localtest.me/ got no answer: Could not resolve host: shop.localtest.me' });
  });

  it('runs a script check in the toolbox and reports its output', async () => {
    const runner = new FakeRunner(() => ({ exitCode: 1, output: 'replicas is 1, want 3\n' }));
    const result = await evaluateCheck(check({ kind: 'script', run: 'test "$(kubectl get deploy web -o jsonpath={.spec.replicas})" = 3' }), context(new FakeCluster(), runner));
    expect(runner.scripts).toEqual(['test "$(kubectl get deploy web -o jsonpath={.spec.replicas})" = 3']);
    expect(result).toMatchObject({ passed: false, message: 'replicas is 1, want 3', actual: 'exit 1' });
  });
});

describe('formatDuration', () => {
  it.each([
    [500, '500ms'],
    [5000, '5s'],
    [1500, '1.5s'],
    [120_000, '2m'],
    [90_000, '90s'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

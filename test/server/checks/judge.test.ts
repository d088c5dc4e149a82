import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../server/checks/cluster-reader.js';
import type { Observation, Target } from '../../../server/checks/judge.js';
import { judge } from '../../../server/checks/judge.js';
import type { ProbeSpec } from '../../../server/checks/spec.js';
import { probeSpecSchema } from '../../../server/checks/spec.js';
import { fixture } from './fake-cluster.js';

const running = fixture('pod-web-running');
const pulling = fixture('pod-web-imagepullbackoff');

function spec(input: Record<string, unknown>): ProbeSpec {
  return probeSpecSchema.parse(input);
}

function objects(target: Target, found: KubeObject[]): Observation {
  return { type: 'objects', target, objects: found };
}

const webPod: Target = { kind: 'Pod', namespace: 'default', name: 'web' };
const webPods: Target = { kind: 'Pod', namespace: 'default', labelSelector: 'app=web' };

describe('judge: exists and absent', () => {
  it.each([
    ['exists', webPod, [running], true, 'pod web exists in namespace default'],
    ['exists', webPod, [], false, 'pod web does not exist in namespace default'],
    ['exists', webPods, [running, pulling], true, 'found 2 pods matching app=web in namespace default: web-7d4b9c8f6d-x2kqp, web-broken'],
    ['exists', webPods, [], false, 'no pods matching app=web in namespace default'],
    ['absent', webPod, [], true, 'pod web is gone in namespace default'],
    ['absent', webPod, [running], false, 'pod web still exists in namespace default'],
    ['absent', webPods, [running, pulling], false, '2 pods matching app=web still exist in namespace default: web-7d4b9c8f6d-x2kqp, web-broken'],
    ['absent', { kind: 'Namespace', name: 'old' } as Target, [], true, 'namespace old is gone'],
  ] as const)('%s %j with %# objects', (kind, target, found, passed, message) => {
    const check = spec({ kind, resource: { kind: target.kind, ...(target.name ? { name: target.name } : { labelSelector: target.labelSelector }) } });
    expect(judge(check, objects(target, [...found]))).toMatchObject({ passed, message });
  });

  it('says a pod that is still there is terminating when it has a deletion timestamp', () => {
    const terminating = fixture('pod-web-running');
    terminating.metadata = { ...terminating.metadata, deletionTimestamp: '2025-03-04T10:30:00Z' };
    const verdict = judge(spec({ kind: 'absent', resource: { kind: 'Pod', name: 'web' } }), objects(webPod, [terminating]));
    expect(verdict.message).toBe('pod web still exists in namespace default (it is terminating)');
  });
});

describe('judge: field', () => {
  const phase = (extra: Record<string, unknown>, resource: Record<string, unknown> = { kind: 'Pod', name: 'web' }) =>
    spec({ kind: 'field', resource, path: '{.status.phase}', ...extra });

  it.each([
    [{ equals: 'Running' }, running, true, 'pod web-7d4b9c8f6d-x2kqp: .status.phase is Running', 'Running'],
    [{ equals: 'Running' }, pulling, false, 'pod web-broken: .status.phase is Pending, expected Running', 'Pending'],
    [{ oneOf: ['Running', 'Succeeded'] }, pulling, false, 'pod web-broken: .status.phase is Pending, expected one of Running, Succeeded', 'Pending'],
    [{ matches: '^Run' }, running, true, 'pod web-7d4b9c8f6d-x2kqp: .status.phase is Running', 'Running'],
  ])('%j on a %# pod', (comparator, pod, passed, message, actual) => {
    expect(judge(phase(comparator), objects(webPod, [pod]))).toMatchObject({ passed, message, actual });
  });

  it('says which field is missing rather than comparing against nothing', () => {
    const check = spec({ kind: 'field', resource: { kind: 'Pod', name: 'web' }, path: '{.status.containerStatuses[0].state.running.startedAt}', matches: '.' });
    expect(judge(check, objects(webPod, [pulling]))).toMatchObject({
      passed: false,
      message: 'pod web-broken has no .status.containerStatuses[0].state.running.startedAt, expected matching /./',
      actual: '(none)',
    });
  });

  it('compares numbers as numbers and says when a value is not a number', () => {
    const replicas = (c: Record<string, unknown>) => spec({ kind: 'field', resource: { kind: 'Deployment', name: 'web' }, path: '{.spec.replicas}', ...c });
    const target = { kind: 'Deployment', namespace: 'default', name: 'web' };
    const deployment = fixture('deployment-web-complete');
    expect(judge(replicas({ atLeast: 3 }), objects(target, [deployment])).passed).toBe(true);
    expect(judge(replicas({ atLeast: 4 }), objects(target, [deployment]))).toMatchObject({ passed: false, message: 'deployment web: .spec.replicas is 3, expected at least 4' });
    expect(judge(replicas({ equals: 3 }), objects(target, [deployment])).passed).toBe(true);
    const image = spec({ kind: 'field', resource: { kind: 'Deployment', name: 'web' }, path: '{.spec.template.spec.containers[0].image}', atMost: 2 });
    expect(judge(image, objects(target, [deployment]))).toMatchObject({ passed: false, expected: 'a number at most 2' });
  });

  it('requires every selected object to match, naming the first that does not', () => {
    const check = phase({ equals: 'Running' }, { kind: 'Pod', labelSelector: 'app=web' });
    expect(judge(check, objects(webPods, [running, pulling]))).toMatchObject({
      passed: false,
      message: 'pod web-broken: .status.phase is Pending, expected Running',
    });
    expect(judge(check, objects(webPods, [running, fixture('pod-web-running')]))).toMatchObject({
      passed: true,
      message: 'all 2 pods matching app=web in namespace default have .status.phase Running',
    });
  });

  it('fails a selector that matches nothing instead of passing vacuously', () => {
    const check = phase({ equals: 'Running' }, { kind: 'Pod', labelSelector: 'app=web' });
    expect(judge(check, objects(webPods, []))).toMatchObject({ passed: false, message: 'no pods matching app=web in namespace default' });
  });

  it('reads custom resources by the same rules', () => {
    const check = spec({ kind: 'field', resource: { apiVersion: 'example.com/v1', kind: 'Widget', name: 'blue' }, path: '{.spec.size}', atLeast: 5 });
    expect(judge(check, objects({ kind: 'Widget', namespace: 'default', name: 'blue' }, [fixture('widget-blue')]))).toMatchObject({
      passed: false,
      message: 'widget blue: .spec.size is 3, expected at least 5',
    });
  });
});

describe('judge: count', () => {
  it.each([
    [{ atLeast: 2 }, undefined, true, 'found 2 pods matching app=web in namespace default (web-7d4b9c8f6d-x2kqp, web-broken)'],
    [{ atLeast: 3 }, undefined, false, 'found 2 pods matching app=web in namespace default (web-7d4b9c8f6d-x2kqp, web-broken), expected at least 3'],
    [{ equals: 1 }, { path: '{.status.phase}', equals: 'Running' }, true, 'found 1 pod matching app=web with .status.phase Running in namespace default (web-7d4b9c8f6d-x2kqp)'],
    [{ equals: 0 }, { path: '{.status.containerStatuses[*].state.waiting.reason}', oneOf: ['ImagePullBackOff', 'ErrImagePull'] }, false, 'found 1 pod matching app=web with .status.containerStatuses[*].state.waiting.reason one of ImagePullBackOff, ErrImagePull in namespace default (web-broken), expected 0'],
  ])('%j where %j', (comparator, where, passed, message) => {
    const check = spec({ kind: 'count', resource: { kind: 'Pod', labelSelector: 'app=web' }, ...comparator, ...(where && { where }) });
    expect(judge(check, objects(webPods, [running, pulling]))).toMatchObject({ passed, message });
  });

  it('names no namespace when counting a cluster-scoped kind', () => {
    const check = spec({ kind: 'count', resource: { kind: 'Node' }, atLeast: 2 });
    expect(judge(check, objects({ kind: 'Node' }, []))).toMatchObject({ passed: false, message: 'found 0 nodes, expected at least 2', actual: '0' });
  });
});

describe('judge: condition', () => {
  it.each([
    ['Ready', 'True', running, true, 'pod web-7d4b9c8f6d-x2kqp has Ready=True'],
    ['Ready', 'True', pulling, false, 'pod web-broken has Ready=False (ContainersNotReady: containers with unready status: [nginx]), expected Ready=True'],
    ['Ready', 'False', pulling, true, 'pod web-broken has Ready=False'],
    ['DisruptionTarget', 'True', running, false, 'pod web-7d4b9c8f6d-x2kqp has no DisruptionTarget condition yet, expected DisruptionTarget=True'],
  ])('%s=%s', (type, status, pod, passed, message) => {
    expect(judge(spec({ kind: 'condition', resource: { kind: 'Pod', name: 'web' }, type, status }), objects(webPod, [pod]))).toMatchObject({ passed, message });
  });

  it('judges jobs and deployments by their own condition types', () => {
    const job = spec({ kind: 'condition', resource: { kind: 'Job', name: 'migrate' }, type: 'Complete' });
    expect(judge(job, objects({ kind: 'Job', namespace: 'default', name: 'migrate' }, [fixture('job-migrate-complete')])).passed).toBe(true);
    const available = spec({ kind: 'condition', resource: { kind: 'Deployment', name: 'web' }, type: 'Available' });
    expect(judge(available, objects({ kind: 'Deployment', namespace: 'default', name: 'web' }, [fixture('deployment-web-complete')])).passed).toBe(true);
  });

  it('says a missing object is missing', () => {
    const check = spec({ kind: 'condition', resource: { kind: 'Pod', name: 'web' }, type: 'Ready' });
    expect(judge(check, objects(webPod, []))).toMatchObject({ passed: false, message: 'pod web does not exist in namespace default', expected: 'Ready=True' });
  });
});

describe('judge: rollout, can, http, script', () => {
  it('passes a completed rollout and explains an unfinished one', () => {
    const check = spec({ kind: 'rollout', resource: { kind: 'Deployment', name: 'web' } });
    const target = { kind: 'Deployment', namespace: 'default', name: 'web' };
    expect(judge(check, objects(target, [fixture('deployment-web-complete')]))).toMatchObject({ passed: true });
    expect(judge(check, objects(target, [fixture('deployment-web-rolling')]))).toMatchObject({ passed: false, message: 'deployment web: 1 of 3 new replicas have been updated' });
    expect(judge(check, objects(target, []))).toMatchObject({ passed: false, message: 'deployment web does not exist in namespace default' });
  });

  it.each([
    [{ serviceAccount: 'shop/deployer' }, 'allowed', { allowed: true, reason: 'RBAC: allowed by RoleBinding "deployer/shop" of Role "deployer" to ServiceAccount "deployer/shop"' }, true, 'service account shop/deployer can list pods in namespace shop (RBAC: allowed by RoleBinding "deployer/shop" of Role "deployer" to ServiceAccount "deployer/shop")'],
    [{ user: 'alice' }, 'allowed', { allowed: false }, false, 'alice cannot list pods in namespace shop, expected allowed'],
    [{ user: 'alice' }, 'denied', { allowed: false }, true, 'alice cannot list pods in namespace shop'],
    [{ user: 'bob', groups: ['ops'] }, 'denied', { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "ops"' }, false, 'bob (groups ops) can list pods in namespace shop (RBAC: allowed by ClusterRoleBinding "ops"), expected denied'],
  ])('can %j expect %s', (as, expectation, answer, passed, message) => {
    const check = spec({ kind: 'can', as, verb: 'list', resource: { resource: 'pods', namespace: 'shop' }, expect: expectation });
    expect(judge(check, { type: 'access', answer })).toMatchObject({ passed, message });
  });

  it('names subresources, groups and cluster-wide scope in access messages', () => {
    const check = spec({ kind: 'can', as: { user: 'alice' }, verb: 'update', resource: { group: 'apps', resource: 'deployments', subresource: 'scale' }, expect: 'allowed' });
    expect(judge(check, { type: 'access', answer: { allowed: false } }).message).toBe('alice cannot update deployments/scale (group apps) cluster-wide, expected allowed');
  });

  it.each([
    [{}, { status: 200, body: '<h1>Welcome to nginx!</h1>' }, true, 'GET / on service web:80 answered 200'],
    [{}, { status: 503, body: 'no endpoints available for service "web"' }, false, 'GET / on service web:80 answered 503, expected 200; the body begins: no endpoints available for service "web"'],
    [{ bodyMatches: 'Welcome' }, { status: 200, body: 'It works' }, false, 'GET / on service web:80 answered 200, but the body does not match /Welcome/; it begins: It works'],
    [{ status: 404 }, { status: 404, body: '' }, true, 'GET / on service web:80 answered 404'],
  ])('http expecting %j', (expectation, answer, passed, message) => {
    const check = spec({ kind: 'http', service: { name: 'web', port: 80 }, expect: expectation });
    expect(judge(check, { type: 'http', request: 'GET / on service web:80', answer })).toMatchObject({ passed, message });
  });

  it.each([
    [{ exitCode: 0, output: '' }, true, 'the script exited 0'],
    [{ exitCode: 0, output: '  all good\n' }, true, 'all good'],
    [{ exitCode: 1, output: 'Error from server (NotFound): pods "web" not found\n' }, false, 'Error from server (NotFound): pods "web" not found'],
    [{ exitCode: 3, output: '' }, false, 'the script exited 3'],
  ])('script %j', (outcome, passed, message) => {
    expect(judge(spec({ kind: 'script', run: 'true' }), { type: 'script', outcome })).toMatchObject({ passed, message });
  });

  it('caps long script output in the message and says how much was left out', () => {
    const verdict = judge(spec({ kind: 'script', run: 'true' }), { type: 'script', outcome: { exitCode: 1, output: 'x'.repeat(2500) } });
    expect(verdict.message).toHaveLength(2000 + '… (500 more characters)'.length);
    expect(verdict.message.endsWith('… (500 more characters)')).toBe(true);
  });

  it('refuses to judge an observation of the wrong type as a bug, not a pass', () => {
    expect(() => judge(spec({ kind: 'script', run: 'true' }), { type: 'access', answer: { allowed: true } })).toThrowError('bug in kubelab');
  });
});

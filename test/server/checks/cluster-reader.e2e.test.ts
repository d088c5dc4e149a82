// KubeClusterReader and the engine against the shared kind cluster of the e2e tier
// (test/support/e2e-cluster.ts), found through KUBELAB_TEST_KUBECONFIG.
import { readFileSync } from 'node:fs';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterReadError } from '../../../server/checks/cluster-reader.js';
import { evaluateChecks } from '../../../server/checks/evaluate.js';
import { KubeClusterReader } from '../../../server/checks/kube-cluster-reader.js';
import type { ScriptRunner } from '../../../server/checks/script-runner.js';
import { checkSpecSchema } from '../../../server/checks/spec.js';

function kubeconfig(): string {
  const file = process.env.KUBELAB_TEST_KUBECONFIG;
  if (!file) {
    throw new Error('KUBELAB_TEST_KUBECONFIG is not set: run this file through the e2e project (npx vitest run --project e2e), whose global setup creates a kind cluster and sets it, or point it at a kubeconfig yourself');
  }
  return readFileSync(file, 'utf8');
}

const NAMESPACE = `checks-e2e-${Math.random().toString(36).slice(2, 7)}`;
const noScripts: ScriptRunner = {
  run: async () => {
    throw new Error('this test runs no scripts');
  },
};

describe('KubeClusterReader on a kind cluster', () => {
  const yaml = kubeconfig();
  const reader = KubeClusterReader.fromKubeconfig(yaml);
  const config = new KubeConfig();
  config.loadFromString(yaml);
  const admin = KubernetesObjectApi.makeApiClient(config);

  beforeAll(async () => {
    await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    await admin.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: NAMESPACE, labels: { app: 'shop' } }, data: { mode: 'debug' } } as never);
  });

  afterAll(async () => {
    await admin.delete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  });

  it('tells namespaced kinds from cluster-scoped ones through discovery', async () => {
    expect(await reader.kindInfo('v1', 'Pod')).toEqual({ resource: 'pods', namespaced: true });
    expect(await reader.kindInfo('v1', 'Namespace')).toEqual({ resource: 'namespaces', namespaced: false });
    expect(await reader.kindInfo('apps/v1', 'Deployment')).toEqual({ resource: 'deployments', namespaced: true });
  });

  it('says a kind the cluster does not serve is unknown', async () => {
    await expect(reader.kindInfo('example.com/v1', 'Widget')).rejects.toMatchObject({ code: 'unknown-kind' });
    await expect(reader.kindInfo('v1', 'Widget')).rejects.toMatchObject({ code: 'unknown-kind' });
  });

  it('returns objects as the API server sends them, and undefined for a missing one', async () => {
    const settings = await reader.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', namespace: NAMESPACE });
    expect(settings?.data).toEqual({ mode: 'debug' });
    expect(typeof settings?.metadata?.creationTimestamp).toBe('string');
    expect(await reader.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'nothing-here', namespace: NAMESPACE })).toBeUndefined();
  });

  it('lists with label selectors, and across namespaces without one', async () => {
    const dns = await reader.list({ apiVersion: 'v1', kind: 'Pod', namespace: 'kube-system', labelSelector: 'k8s-app=kube-dns' });
    expect(dns.length).toBeGreaterThanOrEqual(1);
    const everywhere = await reader.list({ apiVersion: 'v1', kind: 'ConfigMap', labelSelector: 'app=shop' });
    expect(everywhere.map((o) => o.metadata?.namespace)).toEqual([NAMESPACE]);
  });

  it('answers access reviews for users and groups', async () => {
    const question = { verb: 'list', resource: 'secrets', namespace: 'kube-system' };
    expect((await reader.reviewAccess({ ...question, user: 'alice', groups: ['system:authenticated'] })).allowed).toBe(false);
    expect((await reader.reviewAccess({ ...question, user: 'root', groups: ['system:masters'] })).allowed).toBe(true);
  });

  it("GETs a service through the API server's proxy", async () => {
    const metrics = await reader.proxyGet({ namespace: 'kube-system', name: 'kube-dns', port: 'metrics' }, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('coredns_');
  });

  it('evaluates a step of declarative checks against the live cluster, all passing (the time is printed; the target lives in the bench)', async () => {
    const checks = [
      { id: 'settings', title: 'ConfigMap settings exists', kind: 'exists', resource: { kind: 'ConfigMap', name: 'settings', namespace: NAMESPACE } },
      { id: 'debug', title: 'mode is debug', kind: 'field', resource: { kind: 'ConfigMap', name: 'settings', namespace: NAMESPACE }, path: '{.data.mode}', equals: 'debug' },
      { id: 'dns', title: 'DNS rolled out', kind: 'rollout', resource: { kind: 'Deployment', name: 'coredns', namespace: 'kube-system' } },
      { id: 'dns-available', title: 'DNS available', kind: 'condition', resource: { kind: 'Deployment', name: 'coredns', namespace: 'kube-system' }, type: 'Available' },
      { id: 'one-node', title: 'A node', kind: 'count', resource: { kind: 'Node' }, atLeast: 1 },
      { id: 'no-secrets', title: 'alice cannot read secrets', kind: 'can', as: { user: 'alice' }, verb: 'get', resource: { resource: 'secrets', namespace: NAMESPACE }, expect: 'denied' },
      { id: 'gone', title: 'no old namespace', kind: 'absent', resource: { kind: 'Namespace', name: `${NAMESPACE}-old` } },
    ].map((c) => checkSpecSchema.parse(c));
    await evaluateChecks(checks, { reader, runner: noScripts });
    const started = performance.now();
    const results = await evaluateChecks(checks, { reader, runner: noScripts });
    const elapsed = performance.now() - started;
    console.log(`checks e2e: ${checks.length} declarative checks in ${elapsed.toFixed(0)} ms on a warm cluster`);
    expect(results.filter((r) => !r.passed)).toEqual([]);
  });

  it('fails checks with their own messages when the answer is no', async () => {
    const [missing, wrong] = await evaluateChecks(
      [
        checkSpecSchema.parse({ id: 'missing', title: 'm', kind: 'exists', resource: { kind: 'Pod', name: 'web', namespace: NAMESPACE } }),
        checkSpecSchema.parse({ id: 'wrong', title: 'w', kind: 'field', resource: { kind: 'ConfigMap', name: 'settings', namespace: NAMESPACE }, path: '{.data.mode}', equals: 'production' }),
      ],
      { reader, runner: noScripts },
    );
    expect(missing).toMatchObject({ passed: false, message: `pod web does not exist in namespace ${NAMESPACE}` });
    expect(wrong).toMatchObject({ passed: false, message: `configmap settings in namespace ${NAMESPACE}: .data.mode is debug, expected production` });
  });

  it('says the cluster is unreachable when nothing listens at its address', async () => {
    const gone = new KubeConfig();
    gone.loadFromOptions({
      clusters: config.clusters.map((cluster) => ({ ...cluster, server: 'https://127.0.0.1:1' })),
      users: config.users,
      contexts: config.contexts,
      currentContext: config.currentContext,
    });
    const deadReader = KubeClusterReader.fromKubeconfig(gone.exportConfig());
    const error = await deadReader.kindInfo('v1', 'Pod').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterReadError);
    expect(error).toMatchObject({ code: 'unreachable' });
  });
});

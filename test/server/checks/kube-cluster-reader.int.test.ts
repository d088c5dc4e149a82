// KubeClusterReader over real HTTP against a small stand-in API server on a random port: proves the
// client-node wiring (discovery, raw JSON, bearer auth, SubjectAccessReview, service proxy, abort,
// error mapping) without a cluster. The e2e tier runs the same reader against kind.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterReadError } from '../../../server/checks/cluster-reader.js';
import { KubeClusterReader } from '../../../server/checks/kube-cluster-reader.js';
import { fixture } from './fake-cluster.js';

const requests: string[] = [];
const reviews: unknown[] = [];

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '';
  requests.push(`${req.method} ${url} ${req.headers.authorization ?? ''}`);
  if (url === '/api/v1') {
    return json(res, 200, {
      kind: 'APIResourceList',
      groupVersion: 'v1',
      resources: [
        { name: 'pods', singularName: 'pod', kind: 'Pod', namespaced: true, verbs: ['get', 'list'] },
        { name: 'namespaces', singularName: 'namespace', kind: 'Namespace', namespaced: false, verbs: ['get', 'list'] },
      ],
    });
  }
  if (url === '/api/v1/namespaces/default/pods/web') return json(res, 200, fixture('pod-web-running'));
  if (url === '/api/v1/namespaces/default/pods/secret') return json(res, 403, { kind: 'Status', code: 403, message: 'pods "secret" is forbidden: User "kubelab" cannot get resource "pods"' });
  if (url.startsWith('/api/v1/namespaces/default/pods/slow')) return; // never answers
  if (url.startsWith('/api/v1/namespaces/default/pods?')) return json(res, 200, { apiVersion: 'v1', kind: 'PodList', metadata: {}, items: [fixture('pod-web-running'), fixture('pod-web-imagepullbackoff')] });
  if (url.startsWith('/apis/authorization.k8s.io/v1/subjectaccessreviews')) {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const review = JSON.parse(body) as { spec: { user?: string } };
      reviews.push(review);
      json(res, 201, { ...review, status: { allowed: review.spec.user === 'alice', reason: 'RBAC: allowed by RoleBinding "readers"' } });
    });
    return;
  }
  if (url.startsWith('/api/v1/namespaces/shop/services/web:http/proxy/')) {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('no endpoints available for service "web"');
    return;
  }
  return json(res, 404, { kind: 'Status', code: 404, message: `${url} not found` });
}

function kubeconfig(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{ name: kind, cluster: { server: "${server}", insecure-skip-tls-verify: true } }]`,
    'users: [{ name: kubelab, user: { token: t0ken } }]',
    'contexts: [{ name: kind, context: { cluster: kind, user: kubelab } }]',
    'current-context: kind',
  ].join('\n');
}

describe('KubeClusterReader over HTTP', () => {
  let server: Server;
  let reader: KubeClusterReader;

  beforeAll(async () => {
    server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    reader = KubeClusterReader.fromKubeconfig(kubeconfig(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('discovers kinds once per apiVersion and sends the kubeconfig token', async () => {
    requests.length = 0;
    expect(await reader.kindInfo('v1', 'Pod')).toEqual({ resource: 'pods', namespaced: true });
    expect(await reader.kindInfo('v1', 'Namespace')).toEqual({ resource: 'namespaces', namespaced: false });
    expect(requests).toEqual(['GET /api/v1 Bearer t0ken']);
  });

  it('says which kinds the cluster does not serve', async () => {
    await expect(reader.kindInfo('v1', 'Widget')).rejects.toMatchObject({ code: 'unknown-kind', message: expect.stringContaining('serves no kind Widget in v1') });
    await expect(reader.kindInfo('example.com/v1', 'Widget')).rejects.toMatchObject({ code: 'unknown-kind' });
  });

  it('returns objects exactly as the API server sent them, and undefined for a 404', async () => {
    expect(await reader.get({ apiVersion: 'v1', kind: 'Pod', name: 'web', namespace: 'default' })).toEqual(fixture('pod-web-running'));
    expect(await reader.get({ apiVersion: 'v1', kind: 'Pod', name: 'gone', namespace: 'default' })).toBeUndefined();
  });

  it('passes selectors to list and returns the items', async () => {
    requests.length = 0;
    const pods = await reader.list({ apiVersion: 'v1', kind: 'Pod', namespace: 'default', labelSelector: 'app=web', fieldSelector: 'status.phase=Running' });
    expect(pods.map((p) => p.metadata?.name)).toEqual(['web-7d4b9c8f6d-x2kqp', 'web-broken']);
    expect(requests[0]).toContain('fieldSelector=status.phase%3DRunning');
    expect(requests[0]).toContain('labelSelector=app%3Dweb');
  });

  it('maps a 403 to a forbidden error that says what was refused', async () => {
    const error = await reader.get({ apiVersion: 'v1', kind: 'Pod', name: 'secret', namespace: 'default' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterReadError);
    expect(error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('kubelab is not allowed to get pod secret in namespace default (403 pods "secret" is forbidden') });
  });

  it('sends a SubjectAccessReview and reads its answer', async () => {
    const answer = await reader.reviewAccess({ user: 'alice', groups: ['system:authenticated'], verb: 'get', resource: 'pods', namespace: 'shop' });
    expect(answer).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "readers"' });
    expect(reviews.at(-1)).toMatchObject({ spec: { user: 'alice', groups: ['system:authenticated'], resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'shop', group: '' } } });
  });

  it('GETs through the service proxy with the path left as written, and reports any status', async () => {
    requests.length = 0;
    expect(await reader.proxyGet({ namespace: 'shop', name: 'web', port: 'http' }, '/healthz?verbose=1')).toEqual({ status: 503, body: 'no endpoints available for service "web"' });
    expect(requests).toEqual(['GET /api/v1/namespaces/shop/services/web:http/proxy/healthz?verbose=1 Bearer t0ken']);
  });

  it('abandons a request when its signal aborts', async () => {
    const started = performance.now();
    const error = await reader.get({ apiVersion: 'v1', kind: 'Pod', name: 'slow', namespace: 'default' }, { signal: AbortSignal.timeout(150) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'timeout' });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('says the cluster is unreachable when nothing listens', async () => {
    const dead = KubeClusterReader.fromKubeconfig(kubeconfig('http://127.0.0.1:1'));
    await expect(dead.kindInfo('v1', 'Pod')).rejects.toMatchObject({ code: 'unreachable', message: expect.stringContaining('ECONNREFUSED') });
  });

  it('refuses a kubeconfig without a current cluster with a clear error', () => {
    expect(() => KubeClusterReader.fromKubeconfig('apiVersion: v1\nkind: Config\n')).toThrowError(/no current cluster|could not be read/);
  });
});

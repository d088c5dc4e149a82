// End-to-end proof that the air-gapped images make real, working, disposable kind clusters:
// created through KindProvider, used from the toolbox container on the cluster's own network,
// and deleted without a trace.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readVersions, IMAGES_DIR, type Versions } from '../../../images/build/targets.js';
import { bridgeName } from '../../../server/clusters/network-guard.js';
import { KindProvider } from '../../../server/clusters/kind.js';
import type { ClusterProgress } from '../../../server/clusters/provider.js';
import { Toolbox } from '../../../server/toolboxes/toolbox.js';

const suffix = Math.random().toString(36).slice(2, 7);
const name = `kubelab-e2e-${suffix}`;

async function docker(...args: string[]): Promise<string> {
  return (await execa('docker', args)).stdout.trim();
}

/** Runs in the toolbox and fails the test with the script's output when it exits non-zero. */
async function inToolbox(toolbox: Toolbox, script: string, timeoutMs = 120_000): Promise<string> {
  const r = await toolbox.exec(script, { timeoutMs });
  if (r.exitCode !== 0) throw new Error(`toolbox script failed (exit ${r.exitCode}):\n${script}\n---\n${r.output}`);
  return r.output;
}

/**
 * A shell snippet that fetches a URL from a short-lived busybox pod and prints the body; exits
 * non-zero when the fetch fails. (`kubectl run -i --rm` can miss the output of a pod that ends
 * before kubectl attaches, so this waits for the pod and reads its log instead.)
 */
function fromPod(url: string, overrides = ''): string {
  const pod = 'probe-$RANDOM';
  return `p=${pod}; kubectl run $p --image=busybox:1.36 --restart=Never ${overrides ? `--overrides='${overrides}'` : ''} -- wget -T 5 -qO- ${url} >/dev/null
ok=1; for i in $(seq 1 60); do case "$(kubectl get pod $p -o jsonpath='{.status.phase}')" in Succeeded) ok=0; break;; Failed) break;; esac; sleep 0.5; done
kubectl logs $p; kubectl delete pod $p --wait=false >/dev/null; exit $ok`;
}

describe('a kind cluster from the locally built node image', () => {
  let versions: Versions;
  let provider: KindProvider;
  let toolbox: Toolbox;
  const progress: ClusterProgress[] = [];

  beforeAll(async () => {
    versions = await readVersions();
    provider = await KindProvider.create();
    const info = await provider.create(
      {
        name,
        image: versions.node.image,
        controlPlaneLabels: { 'ingress-ready': 'true' },
        preloadImages: ['nginx:1.27', versions.addons.ingress.image],
        owner: 'e2e',
      },
      { onProgress: (p) => progress.push(p) },
    );
    expect(info.nodes).toEqual([`${name}-control-plane`]);
    toolbox = await Toolbox.start({
      name: `${name}-toolbox`,
      image: versions.toolbox.image,
      network: info.network,
      kubeconfig: await provider.kubeconfig(name, 'internal'),
      owner: 'e2e',
    });
  });

  afterAll(async () => {
    await toolbox?.dispose();
    await provider?.delete(name).catch(() => undefined);
  });

  it('reports its phases while it is created', () => {
    const phases = progress.map((p) => p.phase);
    expect(phases[0]).toBe('network');
    expect(phases).toContain('creating');
    expect(phases).toContain('loading-images');
    expect(phases.at(-1)).toBe('ready');
    expect(progress.some((p) => /Starting control-plane/.test(p.message))).toBe(true);
  });

  it('has a Ready node running the pinned Kubernetes version, seen from the toolbox as the learner', async () => {
    const out = await inToolbox(toolbox, 'whoami; kubectl get nodes -o jsonpath="{.items[0].status.nodeInfo.kubeletVersion} {.items[0].status.conditions[?(@.type==\'Ready\')].status}"');
    expect(out).toBe(`learner\n${versions.kubernetes} True`);
  });

  it('runs an nginx Deployment whose Service answers curl from the toolbox', async () => {
    await inToolbox(toolbox, [
      'kubectl create deployment web --image=nginx:1.27 --replicas=2',
      'kubectl expose deployment web --port=80 --type=NodePort',
      'kubectl rollout status deployment/web --timeout=120s',
    ].join(' && '));
    const port = await inToolbox(toolbox, 'kubectl get service web -o jsonpath="{.spec.ports[0].nodePort}"');
    // kube-proxy programs the NodePort within a few seconds of the Service appearing.
    const page = await inToolbox(toolbox, `for i in $(seq 1 30); do curl -s --max-time 5 http://${name}-control-plane:${port}/ && exit 0; sleep 1; done; exit 1`);
    expect(page).toContain('Welcome to nginx!');
  });

  it('resolves and reaches the Service by name from a pod, until a NetworkPolicy denies it', async () => {
    const probe = fromPod('http://web.default.svc.cluster.local/');
    expect(await inToolbox(toolbox, probe)).toContain('Welcome to nginx!');
    await inToolbox(toolbox, `cat <<'EOF' | kubectl apply -f -
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-deny-all
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes: [Ingress]
EOF`);
    await new Promise((r) => setTimeout(r, 3000));
    const blocked = await toolbox.exec(probe, { timeoutMs: 60_000 });
    expect(blocked.exitCode).not.toBe(0);
    expect(blocked.output).not.toContain('Welcome to nginx!');
    await inToolbox(toolbox, 'kubectl delete networkpolicy web-deny-all');
  });

  it('binds a PersistentVolumeClaim through the default StorageClass and keeps what a pod wrote', async () => {
    await inToolbox(toolbox, `cat <<'EOF' | kubectl apply -f -
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 50Mi
---
apiVersion: v1
kind: Pod
metadata:
  name: writer
spec:
  containers:
    - name: writer
      image: busybox:1.36
      command: [sh, -c, "echo kept > /data/file && sleep 3600"]
      volumeMounts: [{ name: data, mountPath: /data }]
  volumes:
    - name: data
      persistentVolumeClaim:
        claimName: data
EOF
kubectl wait --for=condition=Ready pod/writer --timeout=120s`);
    expect(await inToolbox(toolbox, 'kubectl get pvc data -o jsonpath="{.status.phase}"')).toBe('Bound');
    expect(await inToolbox(toolbox, 'kubectl exec writer -- cat /data/file')).toBe('kept');
  });

  it('routes a request through an Ingress to the Service', async () => {
    const manifest = (await readFile(path.join(IMAGES_DIR, 'addons', 'ingress-traefik.yaml'), 'utf8')).replaceAll('KUBELAB_INGRESS_IMAGE', versions.addons.ingress.image);
    await inToolbox(toolbox, `cat <<'EOF' | kubectl apply -f -\n${manifest}\nEOF\nkubectl -n traefik rollout status deployment/traefik --timeout=120s`);
    await inToolbox(toolbox, `cat <<'EOF' | kubectl apply -f -
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  rules:
    - host: web.kubelab.test
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  number: 80
EOF`);
    const page = await inToolbox(
      toolbox,
      `for i in $(seq 1 30); do out=$(curl -s --max-time 5 -H 'Host: web.kubelab.test' http://${name}-control-plane/) && echo "$out" | grep -q nginx && { echo "$out"; exit 0; }; sleep 1; done; echo "$out"; exit 1`,
    );
    expect(page).toContain('Welcome to nginx!');
    const other = await inToolbox(toolbox, `curl -s -o /dev/null -w '%{http_code}' -H 'Host: nothing.kubelab.test' http://${name}-control-plane/`);
    expect(other).toBe('404');
  });

  it("sits on a /24 of kubelab's network pool rather than a /16 of Docker's", async () => {
    const subnet = await docker('network', 'inspect', name, '--format', '{{range .IPAM.Config}}{{.Subnet}}{{end}}');
    expect(subnet).toMatch(/^172\.16\.\d+\.0\/24$/);
  });

  it('is listed by prefix and owner for garbage collection', async () => {
    const mine = await provider.list({ prefix: 'kubelab-e2e-', owner: 'e2e' });
    expect(mine.map((c) => c.name)).toContain(name);
    const others = await provider.list({ prefix: 'kubelab-e2e-', owner: 'somebody-else' });
    expect(others.map((c) => c.name)).not.toContain(name);
  });

  it('leaves no container, volume or network behind when deleted', async () => {
    // The volumes of this cluster's nodes, by name: other work on the machine may create volumes meanwhile.
    const nodes = (await docker('ps', '-a', '--filter', `label=io.x-k8s.kind.cluster=${name}`, '--format', '{{.Names}}')).split('\n').filter(Boolean);
    const mounts = (await docker('inspect', '--format', '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}', ...nodes)).split(/\s+/).filter(Boolean);
    expect(mounts.length).toBeGreaterThan(0);
    await toolbox.dispose();
    await provider.delete(name);
    expect(await docker('ps', '-a', '--filter', `name=${name}`, '--format', '{{.Names}}')).toBe('');
    expect(await docker('network', 'ls', '--filter', `name=${name}`, '--format', '{{.Name}}')).toBe('');
    expect(await docker('volume', 'ls', '--filter', `label=io.x-k8s.kind.cluster=${name}`, '--format', '{{.Name}}')).toBe('');
    const volumesAfter = (await docker('volume', 'ls', '--format', '{{.Name}}')).split('\n').filter(Boolean);
    expect(mounts.filter((v) => volumesAfter.includes(v))).toEqual([]);
    expect((await provider.list({ prefix: name })).length).toBe(0);
    const rules = await docker('run', '--rm', '--network', 'host', '--cap-drop', 'ALL', '--cap-add', 'NET_ADMIN', '--cap-add', 'NET_RAW', '--entrypoint', 'iptables-save', versions.node.image);
    expect(rules).not.toContain(bridgeName(name));
  });
});

/** Docker's answer once its default address pools are used up (20.10 and later wordings). */
const POOLS_EXHAUSTED = /could not find an available, non-overlapping IPv4 address pool|fully subnetted/;

// Left to Docker, every network takes a /16 or /20 of its default pools, and the ~31st fails. This
// fills those pools first (for a few seconds nobody else on this Docker host can create a network
// without a subnet), then makes a cluster: it must still come, on a /24 of kubelab's own pool.
describe("a two-node kind cluster, made after Docker's own address pools ran out", () => {
  const twoNode = `kubelab-e2e2-${suffix}`;
  const fillers: string[] = [];
  let provider: KindProvider;

  beforeAll(async () => {
    for (let i = 0; ; i++) {
      const filler = `kubelab-filler-${suffix}-${i}`;
      const r = await execa('docker', ['network', 'create', '--label', 'dev.kubelab.test=pool-filler', filler], { reject: false });
      if (r.exitCode !== 0) {
        expect(r.stderr).toMatch(POOLS_EXHAUSTED);
        break;
      }
      fillers.push(filler);
      if (i >= 64) throw new Error(`Docker's default address pools hold more than 64 networks on this host (daemon.json default-address-pools?); this test needs the stock pools`);
    }
  });

  afterAll(async () => {
    await provider?.delete(twoNode).catch(() => undefined);
    if (fillers.length) await execa('docker', ['network', 'rm', ...fillers], { reject: false });
  });

  it('boots a control plane and a worker that both become Ready, with pods reaching each other across nodes', async () => {
    const versions = await readVersions();
    provider = await KindProvider.create();
    const info = await provider.create({ name: twoNode, image: versions.node.image, workers: 1, owner: 'e2e' });
    expect(info.nodes).toEqual([`${twoNode}-control-plane`, `${twoNode}-worker`]);
    const kubeconfig = await provider.kubeconfig(twoNode, 'internal');
    const toolbox = await Toolbox.start({ name: `${twoNode}-toolbox`, image: versions.toolbox.image, network: info.network, kubeconfig, owner: 'e2e' });
    try {
      await inToolbox(toolbox, 'kubectl wait --for=condition=Ready nodes --all --timeout=180s');
      // A server pinned to the worker, a client pinned to the control plane: the route between nodes must work.
      await inToolbox(toolbox, [
        `kubectl run server --image=busybox:1.36 --overrides='{"spec":{"nodeName":"${twoNode}-worker"}}' -- sh -c 'echo cross-node > /tmp/index.html && httpd -f -p 8080 -h /tmp'`,
        'kubectl wait --for=condition=Ready pod/server --timeout=120s',
      ].join(' && '));
      const ip = await inToolbox(toolbox, 'kubectl get pod server -o jsonpath="{.status.podIP}"');
      const out = await inToolbox(
        toolbox,
        fromPod(`http://${ip}:8080/`, `{"spec":{"nodeName":"${twoNode}-control-plane","tolerations":[{"operator":"Exists"}]}}`),
      );
      expect(out).toContain('cross-node');
    } finally {
      await toolbox.dispose();
    }
    const subnet = await docker('network', 'inspect', twoNode, '--format', '{{range .IPAM.Config}}{{.Subnet}}{{end}}');
    expect(subnet).toMatch(/^172\.16\.\d+\.0\/24$/);
    const unmanaged = await execa('docker', ['network', 'create', `kubelab-filler-${suffix}-last`], { reject: false });
    expect(unmanaged.stderr).toMatch(POOLS_EXHAUSTED); // still full: the cluster did not get its network from Docker
  });
});

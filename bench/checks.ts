// Check latency per check kind on a warm cluster (median, p95), against the same condition
// checked with one `kubectl` process from the toolbox, as script-based platforms do.
// Run: npm run bench -- checks [--runs 30]
import { parseArgs } from 'node:util';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readVersions } from '../images/build/targets.js';
import { evaluateChecks } from '../server/checks/evaluate.js';
import { KubeClusterReader } from '../server/checks/kube-cluster-reader.js';
import { checkSpecSchema } from '../server/checks/spec.js';
import { KindProvider } from '../server/clusters/kind.js';
import { Toolbox } from '../server/toolboxes/toolbox.js';
import { median } from './clusters.js';

/** The nearest-rank percentile of a sample. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

const CASES: { kind: string; spec: Record<string, unknown>; kubectl: string }[] = [
  { kind: 'exists', spec: { kind: 'exists', resource: { kind: 'Deployment', name: 'web' } }, kubectl: 'kubectl get deployment web -o name' },
  { kind: 'field', spec: { kind: 'field', resource: { kind: 'Deployment', name: 'web' }, path: '{.spec.replicas}', equals: '2' }, kubectl: `test "$(kubectl get deployment web -o jsonpath='{.spec.replicas}')" = 2` },
  { kind: 'count', spec: { kind: 'count', resource: { kind: 'Pod', labelSelector: 'app=web' }, equals: 2 }, kubectl: `test "$(kubectl get pods -l app=web -o name | wc -l)" = 2` },
  { kind: 'condition', spec: { kind: 'condition', resource: { kind: 'Deployment', name: 'web' }, type: 'Available' }, kubectl: 'kubectl wait --for=condition=Available deployment/web --timeout=1s' },
  { kind: 'rollout', spec: { kind: 'rollout', resource: { kind: 'Deployment', name: 'web' } }, kubectl: 'kubectl rollout status deployment/web --timeout=1s' },
  { kind: 'can', spec: { kind: 'can', as: { user: 'alice' }, verb: 'get', resource: { resource: 'secrets', namespace: 'default' }, expect: 'denied' }, kubectl: 'test "$(kubectl auth can-i get secrets --as alice)" = no' },
  { kind: 'http', spec: { kind: 'http', service: { name: 'web', port: 80 }, path: '/', expect: { status: 200 } }, kubectl: 'kubectl get --raw /api/v1/namespaces/default/services/web:80/proxy/ >/dev/null' },
  { kind: 'script', spec: { kind: 'script', run: 'kubectl get deployment web -o name' }, kubectl: 'kubectl get deployment web -o name' },
];

export async function checkBench(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { runs: { type: 'string', default: '30' } } });
  const runs = Number(values.runs);
  const versions = await readVersions();
  const provider = await KindProvider.create();
  const name = `kubelab-bench-checks-${process.pid}`;
  const info = await provider.create({ name, image: versions.node.image, owner: 'bench', preloadImages: ['nginx:1.27'] });
  const toolbox = await Toolbox.start({ name: `${name}-toolbox`, image: versions.toolbox.image, network: info.network, kubeconfig: await provider.kubeconfig(name, 'internal'), owner: 'bench' });
  try {
    const setup = await toolbox.exec('kubectl create deployment web --image=nginx:1.27 --replicas=2 && kubectl expose deployment web --port=80 && kubectl rollout status deployment/web --timeout=120s');
    if (setup.exitCode !== 0) throw new Error(`bench setup failed: ${setup.output}`);
    const reader = KubeClusterReader.fromKubeconfig(await provider.kubeconfig(name, 'external'));
    const runner = { run: (s: string, o: { timeoutMs: number }) => toolbox.exec(s, { timeoutMs: o.timeoutMs }) };
    const rows: Record<string, unknown>[] = [];
    for (const c of CASES) {
      const spec = checkSpecSchema.parse({ id: c.kind, title: c.kind, ...c.spec });
      const engine: number[] = [];
      const kubectl: number[] = [];
      for (let i = 0; i < runs + 1; i++) {
        const t0 = performance.now();
        const [result] = await evaluateChecks([spec], { reader, runner });
        if (!result?.passed) throw new Error(`${c.kind} check did not pass: ${result?.message}`);
        if (i > 0) engine.push(performance.now() - t0); // the first run warms discovery caches
        const t1 = performance.now();
        const r = await toolbox.exec(c.kubectl);
        if (r.exitCode !== 0) throw new Error(`kubectl baseline for ${c.kind} failed: ${r.output}`);
        if (i > 0) kubectl.push(performance.now() - t1);
      }
      const row = {
        kind: c.kind,
        medianMs: Number(median(engine).toFixed(1)),
        p95Ms: Number(percentile(engine, 95).toFixed(1)),
        kubectlMedianMs: Number(median(kubectl).toFixed(1)),
        kubectlP95Ms: Number(percentile(kubectl, 95).toFixed(1)),
      };
      console.log(JSON.stringify(row));
      rows.push(row);
    }
    const result = { measuredAt: new Date().toISOString(), command: `npm run bench -- checks --runs ${runs}`, runs, note: 'kubectl baseline: one docker exec + one kubectl process in the toolbox, as a bash-script checker runs it', rows };
    await mkdir('docs/figures', { recursive: true });
    await writeFile(path.join('docs', 'figures', 'checks.json'), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await toolbox.dispose();
    await provider.delete(name);
  }
}

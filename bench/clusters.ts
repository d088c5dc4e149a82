// Cluster figures for docs/images.md: `kind create` time (median of N through KindProvider),
// memory of one idle cluster (docker stats after it settles), disk used by kubelab's images.
// Run: npm run bench -- clusters [--runs 3] [--settle 60]
import { execa } from 'execa';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readVersions } from '../images/build/targets.js';
import { KindProvider } from '../server/clusters/kind.js';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/** docker stats reports "123.4MiB / 23.4GiB"; returns MiB. */
export function parseMemUsage(text: string): number {
  const m = /^([\d.]+)\s*([KMG]i?B)/.exec(text.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  const unit = m[2] ?? 'MiB';
  return unit.startsWith('G') ? n * 1024 : unit.startsWith('K') ? n / 1024 : n;
}

export async function clusterBench(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { runs: { type: 'string', default: '3' }, settle: { type: 'string', default: '60' } } });
  const runs = Number(values.runs);
  const versions = await readVersions();
  const provider = await KindProvider.create();
  const times: number[] = [];
  let memoryMiB = NaN;
  for (let i = 0; i < runs; i++) {
    const name = `kubelab-bench-${process.pid}-${i}`;
    const t0 = performance.now();
    await provider.create({ name, image: versions.node.image, owner: 'bench' });
    times.push((performance.now() - t0) / 1000);
    console.log(`kind create #${i + 1}: ${times.at(-1)?.toFixed(1)} s`);
    if (i === runs - 1) {
      console.log(`letting the cluster settle for ${values.settle} s before docker stats …`);
      await new Promise((r) => setTimeout(r, Number(values.settle) * 1000));
      const stats = await execa('docker', ['stats', '--no-stream', '--format', '{{.MemUsage}}', `${name}-control-plane`]);
      memoryMiB = parseMemUsage(stats.stdout);
    }
    await provider.delete(name);
  }
  const refs = [
    versions.node.image,
    versions.toolbox.image,
    versions.addons.ingress.image,
    versions.addons.metricsServer.image,
    ...versions.workloads,
  ];
  const sizes = await execa('docker', ['image', 'inspect', '--format', '{{.Size}}', ...refs]);
  const diskMiB = sizes.stdout.split('\n').reduce((sum, s) => sum + Number(s), 0) / 1024 / 1024;
  const df = await execa('docker', ['system', 'df', '--format', '{{.Type}}\t{{.Size}}']);
  const result = {
    measuredAt: new Date().toISOString(),
    command: `npm run bench -- clusters --runs ${runs} --settle ${values.settle}`,
    kubernetes: versions.kubernetes,
    nodeImage: versions.node.image,
    kindCreateSeconds: { runs: times.map((t) => Number(t.toFixed(1))), median: Number(median(times).toFixed(1)) },
    idleClusterMemoryMiB: Number(memoryMiB.toFixed(0)),
    imagesDiskMiB: { kubelabImages: Number(diskMiB.toFixed(0)), note: 'sum of image sizes (shared layers counted once per image)', dockerSystemDf: df.stdout },
  };
  await mkdir('docs/figures', { recursive: true });
  await writeFile(path.join('docs', 'figures', 'clusters.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

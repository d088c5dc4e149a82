// How long a classroom's pre-warm takes on this machine: the warm pool (as the server runs it,
// one creation at a time) filled to N real kind clusters through KindProvider, timing each one
// as it becomes ready. The clusters are named kubelab-cls-<pid>-<n> with their own owner label,
// so no running kubelab server collects them, and they are deleted at the end.
// Run: npm run bench -- prewarm [--seats 3]
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readVersions } from '../images/build/targets.js';
import { KindProvider } from '../server/clusters/kind.js';
import { WarmPool } from '../server/sessions/pool.js';

export async function prewarmBench(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { seats: { type: 'string', default: '3' } } });
  const seats = Number(values.seats);
  const versions = await readVersions();
  const provider = await KindProvider.create();
  let n = 0;
  const errors: string[] = [];
  const pool = new WarmPool({
    provider,
    size: seats,
    spec: (name) => ({ name, image: versions.node.image, owner: 'kubelab-cls' }),
    newName: () => `kubelab-cls-${process.pid}-${n++}`,
    onError: (error) => errors.push(error instanceof Error ? error.message.split('\n')[0]! : String(error)),
  });
  const loadBefore = os.loadavg()[0];
  const t0 = performance.now();
  const readyAt: number[] = [];
  pool.fill();
  try {
    while (readyAt.length < seats && errors.length < 3) {
      await new Promise((r) => setTimeout(r, 500));
      while (pool.status().ready > readyAt.length) {
        readyAt.push((performance.now() - t0) / 1000);
        console.log(`cluster ${readyAt.length} of ${seats} ready after ${readyAt.at(-1)!.toFixed(1)} s`);
      }
    }
  } finally {
    await pool.dispose();
  }
  const result = {
    measuredAt: new Date().toISOString(),
    command: `npm run bench -- prewarm --seats ${seats}`,
    seats,
    secondsUntilReady: readyAt.map((s) => Math.round(s * 10) / 10),
    totalSeconds: readyAt.length ? Math.round(readyAt.at(-1)! * 10) / 10 : null,
    loadAverageAtStart: loadBefore,
    loadAverageAtEnd: os.loadavg()[0],
    cpus: os.availableParallelism(),
    errors,
  };
  await mkdir('docs/figures', { recursive: true });
  await writeFile(path.join('docs', 'figures', 'classroom-prewarm.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

// `npm run bench -- reset [--runs 3] [--lab pods] [--step N]`: reset-to-step time on a real
// session through the real server (a child process with kind and Docker, ungated so any step
// opens): lab:jump to step N (reset the cluster to the lab's start, then apply the solutions of
// the steps before N) and lab:reset (back to step 1), each timed from the request to its answer.
import { median } from './clusters.js';
import { percentile } from './start-to-prompt.js';
import { Attendee } from './attendee.js';
import { option, writeFigures } from './figures.js';
import { removeOwned, startServerProcess } from './server-process.js';

const seconds = (ms: number[]) => {
  const s = ms.map((m) => Math.round(m / 10) / 100);
  return { runs: s, median: Math.round(median(s) * 100) / 100, p95: Math.round(percentile(s, 95) * 100) / 100 };
};

export async function resetBench(args: string[]): Promise<Record<string, unknown>> {
  const runs = Number(option(args, '--runs') ?? 3);
  const lab = option(args, '--lab') ?? 'pods';
  const owner = `kubelab-bench-reset-${process.pid}`;
  const server = await startServerProcess({ owner, poolSize: 0, args: ['--no-gated'] });
  const jumps: number[] = [];
  const resets: number[] = [];
  let step = Number(option(args, '--step') ?? 0);
  let a: Attendee | undefined;
  try {
    const labInfo = (await (await fetch(`${server.base}/api/labs/${lab}`)).json()) as { steps: unknown[] };
    if (!step) step = labInfo.steps.length;
    a = await Attendee.join(server.base);
    await a.start(lab);
    for (let i = 0; i < runs; i++) {
      jumps.push(await a.restart('lab:jump', step));
      resets.push(await a.restart('lab:reset'));
      console.log(`run ${i + 1}: jump to step ${step} ${(jumps.at(-1)! / 1000).toFixed(1)} s, reset ${(resets.at(-1)! / 1000).toFixed(1)} s`);
    }
  } finally {
    await a?.end();
    await server.stop();
    await removeOwned(owner);
  }
  return writeFigures('reset', {
    command: `npm run bench -- reset --runs ${runs} --lab ${lab} --step ${step}`,
    lab,
    step,
    jumpToStepSeconds: seconds(jumps),
    resetSeconds: seconds(resets),
  });
}

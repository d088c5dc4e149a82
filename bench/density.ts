// `npm run bench -- density [--max 8] [--settle 20] [--samples 10] [--lab pods]`: how many idle
// sessions (a real kind cluster and toolbox each, started through the real server as a child
// process) this machine holds while the UI still answers: after each new session has settled,
// /healthz, /api/catalog and a terminal echo on the first session are timed (p95 of --samples);
// the count stops at the first session that pushes any of them over 200 ms, or at --max. Memory
// per idle session: the session containers' memory (docker stats) and the server's RSS growth,
// divided by the sessions.
import { percentile } from './start-to-prompt.js';
import { Attendee, timedGet } from './attendee.js';
import { option, writeFigures } from './figures.js';
import { containerMemoryMiB, processFootprint, removeOwned, startServerProcess } from './server-process.js';

const LIMIT_MS = 200;
const round = (n: number) => Math.round(n * 10) / 10;

export async function densityBench(args: string[]): Promise<Record<string, unknown>> {
  const max = Number(option(args, '--max') ?? 8);
  const settle = Number(option(args, '--settle') ?? 20);
  const samples = Number(option(args, '--samples') ?? 10);
  const lab = option(args, '--lab') ?? 'pods';
  const owner = `kubelab-bench-density-${process.pid}`;
  const server = await startServerProcess({ owner, poolSize: 0 });
  const attendees: Attendee[] = [];
  const rows: Record<string, unknown>[] = [];
  let held = 0;
  let stopReason = `reached --max ${max}`;
  try {
    const baseline = await processFootprint(server.pid);
    for (let n = 1; n <= max; n++) {
      const a = await Attendee.join(server.base);
      attendees.push(a);
      let startSeconds: number;
      try {
        startSeconds = await a.start(lab);
      } catch (error) {
        stopReason = `session ${n} did not start: ${error instanceof Error ? error.message : String(error)}`;
        break;
      }
      await new Promise((r) => setTimeout(r, settle * 1000));
      const first = attendees[0]!;
      const health: number[] = [];
      const catalog: number[] = [];
      const echo: number[] = [];
      for (let i = 0; i < samples; i++) {
        health.push(await timedGet(`${server.base}/healthz`));
        catalog.push(await timedGet(`${server.base}/api/catalog`));
        echo.push(await first.run('true', 10_000).catch(() => Number.POSITIVE_INFINITY));
      }
      const footprint = await processFootprint(server.pid);
      const containers = await containerMemoryMiB(owner);
      const row = {
        sessions: n,
        startSeconds: round(startSeconds),
        p95Ms: { healthz: round(percentile(health, 95)), catalog: round(percentile(catalog, 95)), terminalEcho: round(percentile(echo, 95)) },
        serverRssMiB: footprint.rssMiB,
        containersMiB: containers.total,
        perSessionMiB: round((containers.total + footprint.rssMiB - baseline.rssMiB) / n),
      };
      rows.push(row);
      console.log(JSON.stringify(row));
      const worst = Math.max(row.p95Ms.healthz, row.p95Ms.catalog, row.p95Ms.terminalEcho);
      if (worst > LIMIT_MS) {
        stopReason = `with ${n} sessions a p95 passed ${LIMIT_MS} ms (${worst} ms)`;
        break;
      }
      held = n;
    }
  } finally {
    for (const a of attendees) a.close();
    await server.stop();
    await removeOwned(owner);
  }
  const last = rows.at(-1) as { perSessionMiB?: number } | undefined;
  return writeFigures('density', {
    command: `npm run bench -- density --max ${max} --settle ${settle} --samples ${samples} --lab ${lab}`,
    lab,
    limitMs: LIMIT_MS,
    sessionsHeld: held,
    stopReason,
    memoryPerIdleSessionMiB: last?.perSessionMiB ?? null,
    rows,
  });
}

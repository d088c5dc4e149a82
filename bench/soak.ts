// `npm run soak -- --attendees N --minutes M [--pool P] [--lab pods] [--sample 10] [--smoke]`:
// N simulated attendees against the real server (server/main.ts as a child process with kind and
// Docker, its own owner label, the pool as given): each starts the lab on its own real cluster,
// solves step 1, then for M minutes keeps typing commands into its real terminal (each carrying a marker the
// shell computes) and pressing Check. Every --sample seconds the server process is read from
// /proc (RSS, file descriptors, ptys, descendant processes). At the end every session is ended,
// the server stopped (it must exit cleanly), and Docker compared with before: kind node
// containers of the clusters seen, containers and networks carrying the owner label, and new
// volumes no container uses. Writes docs/figures/soak.json (and the table).
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { KindProvider } from '../server/clusters/kind.js';
import { median } from './clusters.js';
import { percentile } from './start-to-prompt.js';
import { Attendee } from './attendee.js';
import { writeFigures } from './figures.js';
import { processFootprint, removeOwned, startServerProcess } from './server-process.js';
import { writeTable } from './table.js';

const COMMANDS = ['kubectl get pods', 'ls -la ~', 'kubectl get nodes -o wide', 'echo hello; date', 'kubectl get events --sort-by=.lastTimestamp | tail -3', 'seq 1 2000 | tail -1'];

async function lines(args: string[]): Promise<string[]> {
  return (await execa('docker', args)).stdout.split('\n').filter(Boolean);
}

/**
 * This owner's containers (toolboxes carry the owner label; kind's node containers do not, so they
 * are found by the names of the clusters seen during the run) and networks, and volumes no
 * container uses.
 */
async function dockerState(owner: string, clusters: ReadonlySet<string>): Promise<{ containers: string[]; networks: string[]; danglingVolumes: string[] }> {
  const nodes = (await lines(['ps', '-a', '--filter', 'label=io.x-k8s.kind.cluster', '--format', '{{.Label "io.x-k8s.kind.cluster"}}\t{{.Names}}']))
    .map((l) => l.split('\t'))
    .filter(([cluster]) => clusters.has(cluster ?? ''))
    .map(([, name]) => name ?? '');
  return {
    containers: [...nodes, ...(await lines(['ps', '-a', '--filter', `label=dev.kubelab.owner=${owner}`, '--format', '{{.Names}}']))],
    networks: await lines(['network', 'ls', '--filter', `label=dev.kubelab.owner=${owner}`, '--format', '{{.Name}}']),
    danglingVolumes: await lines(['volume', 'ls', '-q', '--filter', 'dangling=true']),
  };
}

const stats = (values: number[]) => {
  const r = (n: number) => Math.round(n);
  return values.length ? { count: values.length, medianMs: r(median(values)), p95Ms: r(percentile(values, 95)), maxMs: r(Math.max(...values)) } : { count: 0 };
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { attendees: { type: 'string', default: '6' }, minutes: { type: 'string', default: '30' }, pool: { type: 'string', default: '1' }, lab: { type: 'string', default: 'pods' }, sample: { type: 'string', default: '10' }, smoke: { type: 'boolean', default: false } },
  });
  const attendees = Number(values.attendees);
  const minutes = Number(values.minutes);
  const pool = Number(values.pool);
  const lab = values.lab ?? 'pods';
  const owner = `kubelab-soak-${process.pid}`;
  const clusters = new Set<string>(); // every cluster of this owner seen while sampling
  const provider = await KindProvider.create();
  const before = await dockerState(owner, clusters);
  console.log(`soak: ${attendees} attendees × ${minutes} min on lab ${lab}, pool ${pool}, owner ${owner}`);
  const server = await startServerProcess({ owner, poolSize: pool });
  const samples: { atSeconds: number; rssMiB: number; fds: number; ptys: number; descendants: number; sessions: number }[] = [];
  const t0 = performance.now();
  const sample = async () => {
    const f = await processFootprint(server.pid).catch(() => undefined);
    const health = (await fetch(`${server.base}/healthz`).then((r) => r.json(), () => undefined)) as { sessions?: { sessions: number } } | undefined;
    if (f) samples.push({ atSeconds: Math.round((performance.now() - t0) / 1000), ...f, sessions: health?.sessions?.sessions ?? -1 });
    for (const c of await provider.list({ prefix: 'kubelab-', owner }).catch(() => [])) clusters.add(c.name);
  };
  await sample();
  const sampler = setInterval(() => void sample(), Number(values.sample) * 1000);
  const checkMs: number[] = [];
  const commandMs: number[] = [];
  const startSeconds: number[] = [];
  const errors: string[] = [];
  let teardownSeconds = -1;
  let serverExit: { exitCode: number | null; signal: string | null } | undefined;
  const people: Attendee[] = [];
  try {
    await Promise.all(
      Array.from({ length: attendees }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i * 5_000)); // arrivals spread out a little
        const a = await Attendee.join(server.base);
        people.push(a);
        try {
          startSeconds.push(await a.start(lab, 300_000));
        } catch (error) {
          errors.push(`attendee ${i + 1} could not start: ${error instanceof Error ? error.message : String(error)}`);
          return;
        }
        // M minutes of activity from the prompt on; step 1 solved first, so Check answers as it would for a working attendee.
        const deadline = Date.now() + minutes * 60_000;
        await a.run('kubectl run web --image=nginx:1.27 >/dev/null 2>&1 || true', 120_000).catch((error: unknown) => errors.push(`attendee ${i + 1}: ${String(error)}`));
        for (let n = 0; Date.now() < deadline; n++) {
          try {
            commandMs.push(await a.run(COMMANDS[(n + i) % COMMANDS.length] ?? 'true'));
            if (n % 4 === 3) checkMs.push((await a.check()).ms);
          } catch (error) {
            errors.push(`attendee ${i + 1}: ${error instanceof Error ? error.message : String(error)}`);
          }
          await new Promise((r) => setTimeout(r, 2_000 + Math.random() * 3_000)); // reading, thinking
        }
      }),
    );
  } finally {
    clearInterval(sampler);
    await sample();
    await Promise.all(people.map((a) => a.end()));
    // lab:end deletes the cluster in the background; wait for the sessions' clusters before
    // stopping the server. The warm pool's stay until shutdown, which deletes them.
    const ended = performance.now();
    while ((await provider.list({ prefix: 'kubelab-', owner }).catch(() => [])).length > pool && performance.now() - ended < 600_000) await new Promise((r) => setTimeout(r, 5_000));
    teardownSeconds = Math.round((performance.now() - ended) / 1000);
    await sample();
    serverExit = await server.stop();
  }
  // What the run left behind: the server deletes its sessions' clusters on lab:end and its warm
  // ones on shutdown; anything of this owner still here is a leak.
  const after = await dockerState(owner, clusters);
  const leaked = {
    containers: after.containers.filter((c) => !before.containers.includes(c)),
    networks: after.networks.filter((n) => !before.networks.includes(n)),
    // Dangling volumes are not labelled: on a shared machine others' work may show up here too.
    danglingVolumes: after.danglingVolumes.filter((v) => !before.danglingVolumes.includes(v)).length,
  };
  if (leaked.containers.length || leaked.networks.length) {
    // removeOwned finds clusters by their networks; leaked nodes whose network is gone go by name.
    if (leaked.containers.length) await execa('docker', ['rm', '-f', '-v', ...leaked.containers], { reject: false });
    await removeOwned(owner);
  }
  if (serverExit?.exitCode !== 0) errors.push(`the server did not shut down cleanly on SIGTERM: ${JSON.stringify(serverExit)}`);
  const sent = people.reduce((s, a) => s + a.messages.sent, 0);
  const received = people.reduce((s, a) => s + a.messages.received, 0);
  const steady = samples.filter((s) => s.sessions === attendees);
  const first = steady[0];
  const last = steady.at(-1);
  const result = await writeFigures('soak', {
    command: `npm run soak -- --attendees ${attendees} --minutes ${minutes} --pool ${pool} --lab ${lab}`,
    ...(values.smoke && { smoke: true, smokeNote: 'a smoke run (few attendees, a few minutes) to prove the soak works; not a soak result' }),
    attendees,
    minutes,
    pool,
    lab,
    startToPromptSeconds: startSeconds.map((s) => Math.round(s * 10) / 10),
    messages: { sent, received, lossPercent: sent ? Math.round(((sent - received) / sent) * 10_000) / 100 : 0 },
    commandRoundTrip: stats(commandMs),
    checkLatency: stats(checkMs),
    teardownAfterEndSeconds: teardownSeconds,
    clustersSeen: clusters.size,
    serverExit,
    leaked,
    server: {
      // Over the time every attendee had a session: flat means no growth from first to last sample.
      whileAllSessionsLive: first && last ? { samples: steady.length, rssMiB: [first.rssMiB, last.rssMiB], fds: [first.fds, last.fds], ptys: [first.ptys, last.ptys], descendants: [first.descendants, last.descendants] } : null,
      afterSessionsEnded: samples.at(-1) ?? null,
      samples,
    },
    errors: errors.slice(0, 20),
  });
  await writeTable();
  console.log(JSON.stringify({ ...result, server: { ...result.server, samples: `${samples.length} samples` } }, null, 2));
  if (errors.length || leaked.containers.length || leaked.networks.length) process.exitCode = 1;
}

await main();

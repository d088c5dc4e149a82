// The real server (server/main.ts, kind and Docker) as a child process for the benches that watch
// it from outside (memory, file descriptors, ptys, processes), on a temp data folder and an owner
// label of its own, so that its start-up clean-up never touches another server's clusters and the
// bench removes exactly what it made.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { KindProvider } from '../server/clusters/kind.js';

export interface ServerProcess {
  base: string;
  pid: number;
  owner: string;
  /** The server's log so far (pino JSON lines). */
  log(): string;
  /** SIGTERM and wait for the exit (graceful shutdown; SIGKILL after 60 s): how it exited. */
  stop(): Promise<{ exitCode: number | null; signal: string | null }>;
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts server/main.ts and waits until /healthz answers. */
export async function startServerProcess(options: { owner: string; poolSize: number; args?: string[] }): Promise<ServerProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), `${options.owner}-`));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--data-dir', dir, '--port', String(port), '--pool-size', String(options.poolSize), '--owner', options.owner, ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUBELAB_LOG_LEVEL: process.env.KUBELAB_LOG_LEVEL ?? 'info' },
  });
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} before answering:\n${log.slice(-3000)}`);
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) throw new Error(`the server did not answer /healthz within 180 s:\n${log.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    base,
    pid: child.pid ?? 0,
    owner: options.owner,
    log: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 60_000))]);
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await new Promise((resolve) => child.once('exit', resolve));
        }
      }
      await rm(dir, { recursive: true, force: true });
      return { exitCode: child.exitCode, signal: child.signalCode };
    },
  };
}

/** Deletes every cluster, container and network carrying this owner label, and nothing else. */
export async function removeOwned(owner: string): Promise<void> {
  const provider = await KindProvider.create();
  for (const c of await provider.list({ prefix: 'kubelab-', owner }).catch(() => [])) await provider.delete(c.name).catch(() => undefined);
  const lines = async (args: string[]) => (await execa('docker', args)).stdout.split('\n').filter(Boolean);
  const containers = await lines(['ps', '-aq', '--filter', `label=dev.kubelab.owner=${owner}`]);
  if (containers.length) await execa('docker', ['rm', '-f', '-v', ...containers]).catch(() => undefined);
  const networks = await lines(['network', 'ls', '-q', '--filter', `label=dev.kubelab.owner=${owner}`]);
  if (networks.length) await execa('docker', ['network', 'rm', ...networks]).catch(() => undefined);
}

/** What a process and its descendants hold now, from /proc. */
export async function processFootprint(pid: number): Promise<{ rssMiB: number; fds: number; ptys: number; descendants: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const fdNames = await readdir(`/proc/${pid}/fd`);
  let ptys = 0;
  for (const fd of fdNames) if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) === '/dev/ptmx') ptys++;
  // Descendants: walk /proc once and follow parent ids.
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) parents.set(Number(entry), ppid);
  }
  let descendants = 0;
  for (const child of parents.keys()) {
    let p = parents.get(child);
    while (p !== undefined && p !== pid) p = parents.get(p);
    if (p === pid) descendants++;
  }
  return { rssMiB: Math.round(rssKiB / 102.4) / 10, fds: fdNames.length, ptys, descendants };
}

/** Memory of this owner's containers (cluster nodes and toolboxes), MiB, from docker stats. */
export async function containerMemoryMiB(owner: string): Promise<{ total: number; containers: number }> {
  const provider = await KindProvider.create();
  const clusters = await provider.list({ prefix: 'kubelab-', owner });
  const names = clusters.flatMap((c) => c.nodes);
  names.push(...(await execa('docker', ['ps', '--filter', `label=dev.kubelab.owner=${owner}`, '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean));
  if (!names.length) return { total: 0, containers: 0 };
  const out = (await execa('docker', ['stats', '--no-stream', '--format', '{{.MemUsage}}', ...new Set(names)])).stdout;
  const unit: Record<string, number> = { B: 1 / 2 ** 20, KiB: 1 / 1024, MiB: 1, GiB: 1024, kB: 1 / 1024, MB: 1, GB: 1024 };
  let total = 0;
  for (const line of out.split('\n')) {
    const m = /^([\d.]+)\s*([A-Za-z]+)/.exec(line.trim());
    if (m) total += Number(m[1]) * (unit[m[2] ?? 'MiB'] ?? 1);
  }
  return { total: Math.round(total), containers: new Set(names).size };
}

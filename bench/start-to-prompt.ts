// Start-to-prompt: what an attendee waits for between pressing Start and seeing a shell prompt,
// through the real server, the real socket.io protocol and real kind clusters. Measured from the
// warm pool (pool size 1, each run waits for the pool to refill) and cold (pool size 0), against
// plain `kind create cluster` (through KindProvider) in the same run.
// Run: npm run bench -- start [--runs 3] [--lab pods]
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { io as connect, type Socket } from 'socket.io-client';
import { readVersions } from '../images/build/targets.js';
import type { Ack, LabReady } from '../protocol/lab.js';
import { createApp, type App } from '../server/app.js';
import { execaRunner } from '../server/clusters/command.js';
import { findKind, KindProvider } from '../server/clusters/kind.js';
import { parseConfig } from '../server/config.js';
import { dockerToolboxHost, probeHost } from '../server/sessions/session-manager.js';
import { median } from './clusters.js';
import { writeFigures } from './figures.js';

/** The value below which `p` of the sorted values lie (nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

function summary(seconds: number[]): { runs: number[]; median: number; p95: number } {
  const round = (n: number) => Number(n.toFixed(2));
  return { runs: seconds.map(round), median: round(median(seconds)), p95: round(percentile(seconds, 95)) };
}

async function until(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function startServer(dataDir: string, poolSize: number): Promise<{ app: App; base: string }> {
  const versions = await readVersions();
  const kind = await findKind();
  const config = parseConfig(['--data-dir', dataDir, '--pool-size', String(poolSize)], {}, process.cwd());
  const app = await createApp(config, {
    logger: pino({ level: 'silent' }),
    provider: new KindProvider({ kind }),
    toolboxes: dockerToolboxHost(),
    readiness: () => probeHost({ run: execaRunner, kind, images: [versions.node.image, versions.toolbox.image], imagesMode: config.imagesMode }),
    images: { node: versions.node.image, toolbox: versions.toolbox.image, warm: versions.workloads },
    clientDir: path.join(dataDir, 'no-client'),
  });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

/** One attendee: a new visitor starts the lab; seconds from lab:start until the prompt arrives. */
async function startToPrompt(base: string, lab: string): Promise<number> {
  const me = (await (await fetch(`${base}/api/me`)).json()) as { socketToken: string };
  const sockets: Socket[] = [];
  const open = (ns: string, token: string) => {
    const socket = connect(`${base}${ns}`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token }, extraHeaders: { origin: base } });
    sockets.push(socket);
    return socket;
  };
  try {
    const labSocket = open('/lab', me.socketToken);
    const t0 = performance.now();
    const started = (await labSocket.timeout(300_000).emitWithAck('lab:start', { slug: lab })) as Ack<LabReady>;
    if (!started.ok) throw new Error(`lab:start failed: ${started.error.code}: ${started.error.message}`);
    const terminal = open('/terminal', started.sessionToken);
    let output = '';
    terminal.on('terminal:output', (m: { seq: number; data: ArrayBuffer | Uint8Array; terminalId: string; sessionId: string }) => {
      const bytes = m.data instanceof Uint8Array ? m.data : new Uint8Array(m.data);
      output += Buffer.from(bytes).toString('utf8');
      terminal.emit('terminal:ack', { sessionId: m.sessionId, terminalId: m.terminalId, seq: m.seq + bytes.byteLength });
    });
    terminal.emit('terminal:attach', { sessionId: started.sessionId, terminalId: '1', cols: 120, rows: 40 });
    await until('the shell prompt', () => output.includes('learner@kubelab'), 60_000);
    const seconds = (performance.now() - t0) / 1000;
    await labSocket.timeout(120_000).emitWithAck('lab:end', { sessionId: started.sessionId });
    return seconds;
  } finally {
    for (const s of sockets) s.disconnect();
  }
}

async function measure(mode: 'pool' | 'cold', runs: number, lab: string): Promise<number[]> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `kubelab-bench-${mode}-`));
  const { app, base } = await startServer(dataDir, mode === 'pool' ? 1 : 0);
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      if (mode === 'pool') {
        await until('a warm cluster in the pool', async () => {
          const health = (await (await fetch(`${base}/healthz`)).json()) as { sessions?: { pool?: { ready: number } } };
          return (health.sessions?.pool?.ready ?? 0) > 0;
        }, 300_000);
      }
      times.push(await startToPrompt(base, lab));
      console.log(`${mode} #${i + 1}: ${times.at(-1)?.toFixed(2)} s to the prompt`);
    }
  } finally {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  return times;
}

export async function startToPromptBench(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { runs: { type: 'string', default: '3' }, lab: { type: 'string', default: 'pods' } } });
  const runs = Number(values.runs);
  const lab = values.lab ?? 'pods';
  const versions = await readVersions();
  const provider = await KindProvider.create();
  const plain: number[] = [];
  for (let i = 0; i < runs; i++) {
    const name = `kubelab-bench-${process.pid}-${i}`;
    const t0 = performance.now();
    await provider.create({ name, image: versions.node.image, owner: 'bench' });
    plain.push((performance.now() - t0) / 1000);
    console.log(`plain kind create #${i + 1}: ${plain.at(-1)?.toFixed(1)} s`);
    await provider.delete(name);
  }
  const pool = await measure('pool', runs, lab);
  const cold = await measure('cold', runs, lab);
  return writeFigures('start-to-prompt', {
    command: `npm run bench -- start --runs ${runs} --lab ${lab}`,
    lab,
    startToPromptSeconds: { pool: summary(pool), cold: summary(cold) },
    plainKindCreateSeconds: summary(plain),
    target: { poolP95Seconds: 2 },
  });
}

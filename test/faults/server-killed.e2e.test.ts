// Fault: the server process is killed (SIGKILL: no shutdown code runs) and started again. The real
// entry point (server/main.ts in a child process, with kind and Docker, on a temp data folder and
// an owner of its own so it never touches another server's clusters) runs the pods lab on one real
// cluster; the attendee passes step 1 and leaves a file in their home. After the kill, leftovers
// are planted (a toolbox container and a cluster network of this owner that no session owns);
// after the restart the session is re-adopted (same session, same cluster and toolbox: the file is
// still there), progress resumes at step 2, and the leftovers are gone. Finally the attendee ends
// the session and the server is stopped gracefully while the cluster is being deleted.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { type Socket, io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/server-process.js';
import { readVersions } from '../../images/build/targets.js';
import type { Ack, CheckReply, LabReady } from '../../protocol/lab.js';
import { KindProvider } from '../../server/clusters/kind.js';

const suffix = Math.random().toString(36).slice(2, 8);
const OWNER = `kubelab-hard-${suffix}`;
const ORPHAN_TOOLBOX = `kubelab-hard-${suffix}-orphan-toolbox`;
const ORPHAN_CLUSTER = `kubelab-hard-${suffix}-orphan`;

async function until(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await Promise.resolve().then(predicate).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function names(args: string[]): Promise<string[]> {
  return (await execa('docker', args)).stdout.split('\n').filter(Boolean);
}

describe('fault: the server is killed and restarted', () => {
  let dir: string;
  let port: number;
  let base: string;
  let server: ChildProcess | undefined;
  let log = '';
  const sockets: Socket[] = [];

  const start = async () => {
    server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--data-dir', dir, '--port', String(port), '--pool-size', '0', '--owner', OWNER], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBELAB_LOG_LEVEL: 'info' } });
    server.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    server.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    await until('the server to answer /healthz', async () => (await fetch(`${base}/healthz`)).ok, 180_000);
  };
  const open = (ns: string, token: string) => {
    const s = connect(`${base}${ns}`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token }, extraHeaders: { origin: base } });
    sockets.push(s);
    return s;
  };
  const me = async (cookie: string) => ((await (await fetch(`${base}/api/me`, { headers: { cookie } })).json()) as { socketToken: string }).socketToken;
  /** A terminal on tab 1 of the session; its output as text. */
  const terminal = (ready: LabReady) => {
    const socket = open('/terminal', ready.sessionToken);
    let output = '';
    socket.on('terminal:output', (m: { seq: number; data: ArrayBuffer | Uint8Array }) => {
      const bytes = m.data instanceof Uint8Array ? m.data : new Uint8Array(m.data);
      output += Buffer.from(bytes).toString('utf8');
      socket.emit('terminal:ack', { sessionId: ready.sessionId, terminalId: '1', seq: m.seq + bytes.byteLength });
    });
    socket.emit('terminal:attach', { sessionId: ready.sessionId, terminalId: '1', cols: 120, rows: 40 });
    return {
      text: () => output,
      type: (data: string) => socket.emit('terminal:input', { sessionId: ready.sessionId, terminalId: '1', data }),
    };
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kubelab-hard-killed-'));
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    server?.kill('SIGKILL');
    // Everything of this owner goes, and nothing else.
    const provider = await KindProvider.create();
    for (const c of await provider.list({ prefix: 'kubelab-', owner: OWNER }).catch(() => [])) await provider.delete(c.name).catch(() => undefined);
    const containers = await names(['ps', '-aq', '--filter', `label=dev.kubelab.owner=${OWNER}`]);
    if (containers.length) await execa('docker', ['rm', '-f', ...containers]);
    const networks = await names(['network', 'ls', '-q', '--filter', `label=dev.kubelab.owner=${OWNER}`]);
    if (networks.length) await execa('docker', ['network', 'rm', ...networks]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('re-adopts the live session with its progress and collects the leftovers', async () => {
    await start();
    const first = await fetch(`${base}/api/me`);
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const lab = open('/lab', ((await first.json()) as { socketToken: string }).socketToken);
    const started = (await lab.timeout(600_000).emitWithAck('lab:start', { slug: 'pods' })) as Ack<LabReady>;
    if (!started.ok) throw new Error(`lab:start failed: ${started.error.code}: ${started.error.message}\n${log.slice(-3000)}`);
    const term = terminal(started);
    await until('the shell prompt', () => term.text().includes('learner@kubelab'), 120_000);
    term.type('echo kept-$((40+2)) > ~/marker && kubectl run web --image=nginx:1.27 && echo RAN-$((6*7))\r');
    await until('kubectl run', () => term.text().includes('RAN-42'), 120_000);
    let passed: Ack<CheckReply> | undefined;
    for (let i = 0; i < 40 && !(passed?.ok && passed.passed); i++) {
      if (i) await new Promise((r) => setTimeout(r, 3_000));
      passed = (await lab.timeout(180_000).emitWithAck('lab:check', { sessionId: started.sessionId })) as Ack<CheckReply>;
    }
    expect(passed).toMatchObject({ ok: true, passed: true, passedSteps: [1] });
    const cluster = (await KindProvider.create().then((p) => p.list({ prefix: 'kubelab-', owner: OWNER }))).map((c) => c.name);
    expect(cluster).toHaveLength(1);

    server?.kill('SIGKILL');
    await until('the server to die', () => server?.exitCode !== null || server?.signalCode !== null, 10_000);
    expect(server?.signalCode).toBe('SIGKILL');
    for (const s of sockets.splice(0)) s.disconnect();
    // Leftovers of a crash: a toolbox and a cluster network this owner made that no session owns.
    const versions = await readVersions();
    await execa('docker', ['run', '-d', '--name', ORPHAN_TOOLBOX, '--label', `dev.kubelab.owner=${OWNER}`, '--label', 'dev.kubelab.role=toolbox', '--entrypoint', 'sleep', versions.toolbox.image, '3600']);
    await execa('docker', ['network', 'create', '--label', `dev.kubelab.owner=${OWNER}`, '--label', `dev.kubelab.cluster=${ORPHAN_CLUSTER}`, ORPHAN_CLUSTER]);

    log = '';
    await start();
    await until('the leftovers to be collected', async () => (await names(['ps', '-a', '--filter', `name=${ORPHAN_TOOLBOX}`, '--format', '{{.Names}}'])).length === 0 && (await names(['network', 'ls', '--filter', `name=${ORPHAN_CLUSTER}`, '--format', '{{.Name}}'])).length === 0, 120_000);
    const health = (await (await fetch(`${base}/healthz`)).json()) as { sessions: { sessions: number } };
    expect(health.sessions.sessions).toBe(1);
    expect(log).toContain('re-adopted session');

    // The attendee reloads: a new socket token (the server's secret is new), the same session.
    const again = open('/lab', await me(cookie));
    const ready = await new Promise<LabReady>((resolve) => again.once('lab:ready', resolve));
    expect(ready).toMatchObject({ sessionId: started.sessionId, slug: 'pods', step: 2, passedSteps: [1] });
    expect(ready.sessionToken).not.toBe(started.sessionToken);
    const term2 = terminal(ready);
    await until('the shell prompt after the restart', () => term2.text().includes('learner@kubelab'), 120_000);
    term2.type('cat ~/marker\r');
    await until('the file written before the kill', () => term2.text().includes('kept-42'), 60_000);
    expect((await KindProvider.create().then((p) => p.list({ prefix: 'kubelab-', owner: OWNER }))).map((c) => c.name)).toEqual(cluster);
    const check = (await again.timeout(180_000).emitWithAck('lab:check', { sessionId: started.sessionId })) as Ack<CheckReply>;
    expect(check).toMatchObject({ ok: true, step: 2, passedSteps: [1] });

    // Ending the session starts deleting its cluster in the background; a graceful stop (SIGTERM)
    // right then must wait for that and exit cleanly. (It once died of its own re-raised SIGTERM
    // whenever a docker or kind command was running, leaving clusters and networks behind.)
    expect(await again.timeout(300_000).emitWithAck('lab:end', { sessionId: started.sessionId })).toMatchObject({ ok: true });
    server?.kill('SIGTERM');
    await until('the server to stop', () => server?.exitCode !== null || server?.signalCode !== null, 120_000);
    expect({ exitCode: server?.exitCode, signal: server?.signalCode }).toEqual({ exitCode: 0, signal: null });
    expect(await KindProvider.create().then((p) => p.list({ prefix: 'kubelab-', owner: OWNER }))).toEqual([]);
    expect(await names(['ps', '-aq', '--filter', `label=dev.kubelab.owner=${OWNER}`])).toEqual([]);
    expect(await names(['ps', '-aq', '--filter', `name=${cluster[0]}`])).toEqual([]);
  });
});

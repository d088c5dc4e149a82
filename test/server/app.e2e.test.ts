// The attendee's loop through the real server on a real kind cluster: start the pods lab, get a
// shell prompt in the toolbox over the terminal socket, press Check (fails), solve the step by
// typing into the terminal, press Check (passes), and find the progress in the store.
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import xtermHeadless from '@xterm/headless';
import { pino } from 'pino';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVersions } from '../../images/build/targets.js';
import type { Ack, CheckReply, LabReady } from '../../protocol/lab.js';
import { createApp, type App } from '../../server/app.js';
import { execaRunner } from '../../server/clusters/command.js';
import { KindProvider, findKind } from '../../server/clusters/kind.js';
import { parseConfig } from '../../server/config.js';
import { dockerToolboxHost, probeHost } from '../../server/sessions/session-manager.js';
import { removeOwned } from '../support/session-e2e.js';

const { Terminal } = xtermHeadless;

function emit<T>(socket: Socket, event: string, payload: unknown, timeoutMs = 300_000): Promise<Ack<T>> {
  return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<Ack<T>>;
}

function screen(term: InstanceType<typeof Terminal>): string {
  const lines: string[] = [];
  for (let i = 0; i < term.buffer.active.length; i++) lines.push(term.buffer.active.getLine(i)?.translateToString(true) ?? '');
  return lines.join('\n');
}

async function until(what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// The server runs under an owner of its own: at start-up it collects every cluster and toolbox of
// its owner that its (fresh) store does not know, so with the default owner it would delete a
// developer's own sessions; and cleaning up by owner leaves everybody else's clusters alone.
const OWNER = 'kubelab-app-e2e';

describe('a lab session on a real kind cluster, through the server', () => {
  let app: App;
  let base: string;
  let dir: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    await removeOwned(await KindProvider.create(), 'kubelab-', OWNER); // a previous run killed before its cleanup
    dir = await mkdtemp(path.join(tmpdir(), 'kubelab-app-e2e-'));
    const versions = await readVersions();
    const kind = await findKind();
    const config = parseConfig(['--data-dir', dir, '--pool-size', '0', '--owner', OWNER], {}, process.cwd());
    app = await createApp(config, {
      logger: pino({ level: 'silent' }),
      provider: new KindProvider({ kind }),
      toolboxes: dockerToolboxHost(),
      readiness: () => probeHost({ run: execaRunner, kind, images: [versions.node.image, versions.toolbox.image], imagesMode: config.imagesMode }),
      images: { node: versions.node.image, toolbox: versions.toolbox.image },
      clientDir: path.join(dir, 'no-client'),
      terminalEnv: Object.fromEntries(['PATH', 'HOME', 'LANG'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : []))),
    });
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    if (app) await app.close();
    // Sessions keep their clusters across a restart by design; delete the ones this test made.
    await removeOwned(await KindProvider.create(), 'kubelab-', OWNER);
    await rm(dir, { recursive: true, force: true });
  });

  it('starts the pods lab, gives a prompt in the toolbox, and checks a step before and after it is solved', async () => {
    const meResponse = await fetch(`${base}/api/me`);
    const cookie = (meResponse.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const me = (await meResponse.json()) as { socketToken: string };
    const lab = connect(`${base}/lab`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: me.socketToken }, extraHeaders: { origin: base } });
    sockets.push(lab);
    const phases: string[] = [];
    lab.on('lab:progress', (p: { phase: string }) => phases.push(p.phase));

    const started = await emit<LabReady>(lab, 'lab:start', { slug: 'pods' });
    if (!started.ok) throw new Error(`lab:start failed: ${started.error.code}: ${started.error.message}`);
    expect(phases).toContain('cluster');
    expect(phases.at(-1)).toBe('ready');

    const term = new Terminal({ cols: 120, rows: 40, allowProposedApi: true });
    const terminal = connect(`${base}/terminal`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: started.sessionToken }, extraHeaders: { origin: base } });
    sockets.push(terminal);
    terminal.on('terminal:output', (m: { seq: number; data: ArrayBuffer | Uint8Array; terminalId: string; sessionId: string }) => {
      const bytes = m.data instanceof Uint8Array ? m.data : new Uint8Array(m.data);
      term.write(bytes, () => terminal.emit('terminal:ack', { sessionId: m.sessionId, terminalId: m.terminalId, seq: m.seq + bytes.byteLength }));
    });
    const ref = { sessionId: started.sessionId, terminalId: '1' };
    terminal.emit('terminal:attach', { ...ref, cols: 120, rows: 40 });
    await until('the shell prompt', () => screen(term).includes('learner@kubelab'));

    const before = await emit<CheckReply>(lab, 'lab:check', { sessionId: started.sessionId });
    if (!before.ok) throw new Error(before.error.message);
    expect(before.passed).toBe(false);
    expect(before.results.length).toBeGreaterThan(0);
    expect(before.results.every((r) => typeof r.message === 'string' && r.message.length > 0)).toBe(true);

    terminal.emit('terminal:input', { ...ref, data: 'kubectl run web --image=nginx:1.27 && echo STARTED-$((6*7))\r' });
    await until('kubectl run to finish in the terminal', () => screen(term).includes('STARTED-42'), 60_000);

    let after: Ack<CheckReply> | undefined;
    for (let i = 0; i < 30; i++) {
      after = await emit<CheckReply>(lab, 'lab:check', { sessionId: started.sessionId });
      if (after.ok && after.passed) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    if (!after?.ok) throw new Error(`check failed to run: ${JSON.stringify(after)}`);
    expect(after.passed, JSON.stringify(after.results)).toBe(true);
    expect(after.passedSteps).toContain(1);

    // The progress is the visitor's, in the SQLite store, as the catalog shows it.
    const catalog = (await (await fetch(`${base}/api/catalog`, { headers: { cookie } })).json()) as { lessons: { slug: string; progress: unknown }[] };
    expect(JSON.stringify(catalog.lessons.find((l) => l.slug === 'pods')?.progress)).toMatch(/"passedSteps":\[1\]/);
    const ended = await emit<object>(lab, 'lab:end', { sessionId: started.sessionId });
    expect(ended.ok).toBe(true);
  });
});

// The real app (createApp: express, both socket.io namespaces, the session manager, the SQLite
// store in a temp folder) on a random port, with fake clusters and a local bash standing in for the
// toolbox shell. Shared by the fault and abuse tests, which drive it with real socket.io clients.
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { type Socket, io as connect } from 'socket.io-client';
import type { Ack, LabReady } from '../../protocol/lab.js';
import { type App, type AppDeps, createApp } from '../../server/app.js';
import { parseConfig } from '../../server/config.js';
import { FakeChecks, FakeEnvironments, FakeProvider, FakeToolboxes } from '../server/sessions/session-manager-fakes.js';

export const READY = { ready: true, docker: { ok: true, detail: 'fake' }, kind: { ok: true, detail: 'fake' }, images: { ok: true, detail: 'fake' } };

/** The prompt of the stand-in shell. */
export const PROMPT = 'fake-toolbox$ ';

/** Fake toolboxes whose shell is a plain local bash with a known prompt. */
export class LocalShellToolboxes extends FakeToolboxes {
  override attach(name: string) {
    return { ...super.attach(name), shellCommand: (): [string, string[]] => ['bash', ['--noprofile', '--norc', '-i']] };
  }
}

export interface FakeLabApp {
  app: App;
  base: string;
  dir: string;
  provider: FakeProvider;
  checks: FakeChecks;
  /** A fresh visitor: cookie and socket token. */
  visitor(): Promise<{ cookie: string; visitorId: string; socketToken: string }>;
  /** A socket on /lab or /terminal (reconnection off unless asked), closed by close(). */
  socket(namespace: '/lab' | '/terminal', options?: { token?: string; origin?: string | null; reconnection?: boolean }): Socket;
  /** A new visitor with a started lab: their lab socket and lab:ready. */
  startLab(slug?: string): Promise<{ lab: Socket; ready: LabReady; cookie: string; visitorId: string }>;
  close(): Promise<void>;
}

/** How a connection attempt ended. */
export function connected(socket: Socket): Promise<{ ok: true } | { ok: false; message: string; code: string }> {
  return new Promise((resolve) => {
    if (socket.connected) return resolve({ ok: true });
    socket.once('connect', () => resolve({ ok: true }));
    socket.once('connect_error', (error: Error & { data?: { code?: string } }) => resolve({ ok: false, message: error.message, code: error.data?.code ?? '' }));
  });
}

export async function startFakeLabApp(options: { provider?: FakeProvider; poolSize?: number; args?: string[]; deps?: Partial<AppDeps>; lessonsRoot?: string; dir?: string } = {}): Promise<FakeLabApp> {
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'kubelab-fake-app-')));
  const provider = options.provider ?? new FakeProvider();
  const checks = new FakeChecks();
  const args = ['--data-dir', dir, '--pool-size', String(options.poolSize ?? 0), ...(options.lessonsRoot ? ['--lessons', options.lessonsRoot] : []), ...(options.args ?? [])];
  const app = await createApp(parseConfig(args, {}, process.cwd()), {
    logger: pino({ level: 'silent' }),
    provider,
    toolboxes: new LocalShellToolboxes(),
    readiness: async () => READY,
    environment: new FakeEnvironments().create,
    checks: checks.create,
    images: { node: 'n', toolbox: 't' },
    clientDir: path.join(dir, 'no-client'),
    terminalEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8', PS1: PROMPT },
    ...options.deps,
  });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const sockets: Socket[] = [];

  const visitor = async () => {
    const res = await fetch(`${base}/api/me`);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const me = (await res.json()) as { visitorId: string; socketToken: string };
    return { cookie, ...me };
  };
  const socket: FakeLabApp['socket'] = (namespace, o = {}) => {
    const s = connect(`${base}${namespace}`, {
      transports: ['websocket'],
      reconnection: o.reconnection ?? false,
      reconnectionDelay: 50,
      reconnectionDelayMax: 200,
      forceNew: true,
      ...(o.token !== undefined && { auth: { token: o.token } }),
      ...(o.origin !== null && { extraHeaders: { origin: o.origin ?? base } }),
    });
    sockets.push(s);
    return s;
  };
  const startLab = async (slug = 'pods') => {
    const v = await visitor();
    const lab = socket('/lab', { token: v.socketToken });
    const ready = (await lab.timeout(10_000).emitWithAck('lab:start', { slug })) as Ack<LabReady>;
    if (!ready.ok) throw new Error(`lab:start failed: ${ready.error.code}: ${ready.error.message}`);
    const { ok: _ok, ...rest } = ready;
    return { lab, ready: rest as LabReady, cookie: v.cookie, visitorId: v.visitorId };
  };
  return {
    app,
    base,
    dir,
    provider,
    checks,
    visitor,
    socket,
    startLab,
    async close() {
      for (const s of sockets) s.disconnect();
      await app.close();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

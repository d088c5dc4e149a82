import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { type Socket, io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, type AppDeps, createApp } from '../../server/app.js';
import { parseConfig } from '../../server/config.js';
import { assetRoute } from '../../server/lessons/render.js';
import { FakeChecks, FakeClock, FakeEnvironments, FakeProvider, FakeToolboxes } from './sessions/session-manager-fakes.js';

const READY = { ready: true, docker: { ok: true, detail: 'fake' }, kind: { ok: true, detail: 'fake' }, images: { ok: true, detail: 'fake' } };

/** The app on a random port with fake clusters, toolboxes, environments and checks (each replaceable). */
async function fakeApp(env: Record<string, string>, deps: Partial<AppDeps>): Promise<{ dir: string; app: App; base: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kubelab-app-'));
  const app = await createApp(parseConfig(['--data-dir', dir, '--pool-size', '0'], env, process.cwd()), {
    logger: pino({ level: 'silent' }),
    provider: new FakeProvider(),
    toolboxes: new FakeToolboxes(),
    readiness: async () => READY,
    environment: new FakeEnvironments().create,
    checks: new FakeChecks().create,
    images: { node: 'n', toolbox: 't' },
    clientDir: path.join(dir, 'no-client'),
    ...deps,
  });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  return { dir, app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

describe('the app on a random port, with fake clusters', () => {
  let dir: string;
  let app: App;
  let base: string;
  const sockets: Socket[] = [];
  const checks = new FakeChecks();

  beforeAll(async () => {
    ({ dir, app, base } = await fakeApp({}, { checks: checks.create }));
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  const visitor = async () => {
    const res = await fetch(`${base}/api/me`);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    const me = (await res.json()) as { visitorId: string; socketToken: string };
    return { cookie, ...me };
  };
  const labSocket = (options: { token?: string; origin?: string } = {}) => {
    const socket = connect(`${base}/lab`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(options.token !== undefined && { auth: { token: options.token } }),
      ...(options.origin !== undefined && { extraHeaders: { origin: options.origin } }),
    });
    sockets.push(socket);
    return socket;
  };
  const connected = (socket: Socket) =>
    new Promise<{ ok: true } | { ok: false; message: string; code: string }>((resolve) => {
      socket.once('connect', () => resolve({ ok: true }));
      socket.once('connect_error', (error: Error & { data?: { code: string } }) => resolve({ ok: false, message: error.message, code: error.data?.code ?? '' }));
    });

  it('issues an httpOnly, SameSite=Lax visitor cookie and keeps the visitor it names', async () => {
    const res = await fetch(`${base}/api/me`);
    expect(res.headers.get('set-cookie')).toMatch(/^kubelab_visitor=[0-9a-f]{32}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    const { visitorId } = (await res.json()) as { visitorId: string };
    const again = await fetch(`${base}/api/me`, { headers: { cookie: `kubelab_visitor=${visitorId}` } });
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(((await again.json()) as { visitorId: string }).visitorId).toBe(visitorId);
  });

  it('stores a display name and refuses an empty one', async () => {
    const { cookie } = await visitor();
    const post = (body: unknown) => fetch(`${base}/api/me`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ displayName: 'Ada' })).status).toBe(200);
    expect(((await (await fetch(`${base}/api/me`, { headers: { cookie } })).json()) as { displayName: string }).displayName).toBe('Ada');
    const bad = await post({ displayName: '' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'BAD_REQUEST', message: expect.stringContaining('displayName') } });
  });

  it('lists the catalog with the fields the page shows', async () => {
    const catalog = (await (await fetch(`${base}/api/catalog`)).json()) as { lessons: unknown[]; scenarios: unknown[] };
    expect(catalog.lessons).toContainEqual({
      slug: 'pods', type: 'lesson', title: expect.any(String), summary: expect.any(String), difficulty: 'beginner', minutes: 20,
      tags: ['pods', 'kubectl', 'basics'], stepCount: 5, progress: { started: false, passedSteps: [] },
    });
  });

  it('serves a lab page with rendered steps and no solutions before they are revealed', async () => {
    const res = await fetch(`${base}/api/labs/pods`);
    const lab = (await res.json()) as { gated: boolean; steps: { number: number; html: string; checkCount: number; hasSolution: boolean; solution?: string; runnableBlocks: unknown[] }[] };
    expect(lab.gated).toBe(true);
    expect(lab.steps[0]).toMatchObject({ number: 1, checkCount: 3, hasSolution: true });
    expect(lab.steps[0]!.html).toContain('<');
    expect(lab.steps.some((s) => 'solution' in s)).toBe(false);
    expect(JSON.stringify(lab)).not.toContain('kubectl wait --for=condition=Ready pod/web');
    const locked = await fetch(`${base}/api/labs/pods/steps/1/solution`);
    expect(locked.status).toBe(403);
    expect(((await locked.json()) as { error: { code: string } }).error.code).toBe('SOLUTION_LOCKED');
  });

  it('answers an unknown lab with 404 and a code', async () => {
    const res = await fetch(`${base}/api/labs/nope`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NO_SUCH_LAB');
  });

  it('serves lesson images only, never step files or paths out of the lesson', async () => {
    expect(assetRoute('pods')).toBe('/lessons/pods/assets');
    expect((await fetch(`${base}${assetRoute('pods')}/steps/01-run-a-pod.md`)).status).toBe(404);
    expect((await fetch(`${base}${assetRoute('pods')}/..%2f..%2fpackage.json`)).status).toBe(400);
    expect((await fetch(`${base}${assetRoute('pods')}/images/missing.png`)).status).toBe(404);
  });

  it('reports the host in /healthz and explains the missing browser app on /', async () => {
    const health = (await (await fetch(`${base}/healthz`)).json()) as Record<string, unknown>;
    // Every lesson and scenario in the repository loads (authors add labs; the count follows the catalog).
    const catalog = (await (await fetch(`${base}/api/catalog`)).json()) as { lessons: unknown[]; scenarios: unknown[] };
    expect(health).toMatchObject({ ok: true, labsAvailable: true, host: READY, client: 'not built: run npm run build', catalog: { labs: catalog.lessons.length + catalog.scenarios.length, skipped: 0 } });
    expect(await (await fetch(base)).text()).toContain('npm run build');
  });

  it('refuses a socket from another origin', async () => {
    const { socketToken } = await visitor();
    expect(await connected(labSocket({ token: socketToken, origin: 'http://evil.example' }))).toMatchObject({ ok: false, code: 'ORIGIN_REFUSED' });
  });

  it('refuses a socket without a token, or with a forged one', async () => {
    expect(await connected(labSocket())).toMatchObject({ ok: false, code: 'TOKEN_MISSING' });
    const { visitorId } = await visitor();
    expect(await connected(labSocket({ token: `${visitorId}.forged` }))).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });
  });

  it('refuses a terminal socket without a session token', async () => {
    const socket = connect(`${base}/terminal`, { transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(socket);
    expect(await connected(socket)).toMatchObject({ ok: false, code: 'TOKEN_MISSING' });
  });

  it('rejects a malformed payload through the acknowledgement', async () => {
    const { socketToken } = await visitor();
    const socket = labSocket({ token: socketToken, origin: base });
    expect(await connected(socket)).toEqual({ ok: true });
    const reply = await socket.timeout(5000).emitWithAck('lab:start', { slug: '../etc', extra: 1 });
    expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const check = await socket.timeout(5000).emitWithAck('lab:check', { sessionId: 'not-a-session' });
    expect(check).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringContaining('sessionId') } });
  });

  it('starts a lab with progress, checks it, and shows the progress in the catalog', async () => {
    const { socketToken, cookie } = await visitor();
    const socket = labSocket({ token: socketToken, origin: base });
    expect(await connected(socket)).toEqual({ ok: true });
    const phases: string[] = [];
    socket.on('lab:progress', (p: { phase: string }) => phases.push(p.phase));
    const ready = (await socket.timeout(10_000).emitWithAck('lab:start', { slug: 'pods' })) as { ok: true; sessionId: string; sessionToken: string; step: number };
    expect(ready).toMatchObject({ ok: true, step: 1 });
    expect(phases).toContain('ready');
    const locked = await socket.timeout(5000).emitWithAck('lab:goto', { sessionId: ready.sessionId, step: 2 });
    expect(locked).toMatchObject({ ok: false, error: { code: 'STEP_LOCKED' } });
    checks.passing = true;
    const passed = await socket.timeout(5000).emitWithAck('lab:check', { sessionId: ready.sessionId });
    expect(passed).toMatchObject({ ok: true, step: 1, passed: true, passedSteps: [1] });
    const catalog = (await (await fetch(`${base}/api/catalog`, { headers: { cookie } })).json()) as { lessons: { slug: string; progress: unknown }[] };
    expect(catalog.lessons.find((l) => l.slug === 'pods')?.progress).toEqual({ started: true, passedSteps: [1] });
    const solution = await fetch(`${base}/api/labs/pods/steps/1/solution`, { headers: { cookie } });
    expect(solution.status).toBe(200);

    const terminal = connect(`${base}/terminal`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: ready.sessionToken } });
    sockets.push(terminal);
    expect(await connected(terminal)).toEqual({ ok: true });
  });
});

describe('the app on a machine without Docker', () => {
  const MISSING = {
    ready: false,
    docker: { ok: false, detail: 'Docker is not usable: Cannot connect to the Docker daemon', fix: 'npm run setup (installs and starts Docker), or start Docker' },
    kind: { ok: true, detail: 'kind v0.29.0' },
    images: { ok: false, detail: 'unknown until Docker works', fix: 'npm run setup, then npm run images' },
  };
  let dir: string;
  let app: App;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kubelab-app-'));
    app = await createApp(parseConfig(['--data-dir', dir], {}, process.cwd()), { logger: pino({ level: 'silent' }), readiness: async () => MISSING, clientDir: path.join(dir, 'no-client') });
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('still serves the catalog', async () => {
    const catalog = (await (await fetch(`${base}/api/catalog`)).json()) as { lessons: { slug: string }[] };
    expect(catalog.lessons.map((l) => l.slug)).toContain('pods');
  });

  it('says in /healthz and on the page what is missing and how to fix it', async () => {
    const health = (await (await fetch(`${base}/healthz`)).json()) as { labsAvailable: boolean; message: string };
    expect(health.labsAvailable).toBe(false);
    expect(health.message).toContain('fix: npm run setup (installs and starts Docker)');
    const page = await (await fetch(base)).text();
    expect(page).toContain('This machine cannot run labs yet');
    expect(page).toContain('npm run setup, then npm run images');
  });

  it('answers lab:start with HOST_NOT_READY and the fix', async () => {
    const me = (await (await fetch(`${base}/api/me`)).json()) as { socketToken: string };
    const socket = connect(`${base}/lab`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: me.socketToken } });
    try {
      const reply = await socket.timeout(5000).emitWithAck('lab:start', { slug: 'pods' });
      expect(reply).toMatchObject({ ok: false, error: { code: 'HOST_NOT_READY', message: expect.stringContaining('npm run setup') } });
    } finally {
      socket.disconnect();
    }
  });
});

describe('the app with one seat', () => {
  let dir: string;
  let app: App;
  let base: string;
  const provider = new FakeProvider();
  const toolboxes = new FakeToolboxes();
  const sockets: Socket[] = [];

  beforeAll(async () => {
    ({ dir, app, base } = await fakeApp({ KUBELAB_MAX_SESSIONS: '1' }, { provider, toolboxes }));
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  const start = async () => {
    const me = (await (await fetch(`${base}/api/me`)).json()) as { socketToken: string };
    const socket = connect(`${base}/lab`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: me.socketToken } });
    sockets.push(socket);
    return { socket, reply: (await socket.timeout(10_000).emitWithAck('lab:start', { slug: 'pods' })) as { ok: boolean; sessionId?: string; error?: { code: string; message: string } } };
  };

  it('refuses the second attendee with the seat count, creates nothing for them, and takes them once the seat is free', async () => {
    const first = await start();
    expect(first.reply).toMatchObject({ ok: true });
    const second = await start();
    expect(second.reply).toEqual({ ok: false, error: { code: 'NO_SEATS', message: 'all 1 seat is in use; try again in a few minutes or ask the instructor' } });
    expect(provider.created).toHaveLength(1);
    expect(toolboxes.running.size).toBe(1);
    const health = (await (await fetch(`${base}/healthz`)).json()) as { sessions: { sessions: number; maxSessions: number } };
    expect(health.sessions).toMatchObject({ sessions: 1, maxSessions: 1 });
    expect(await first.socket.timeout(5000).emitWithAck('lab:end', { sessionId: first.reply.sessionId })).toMatchObject({ ok: true });
    expect(await second.socket.timeout(10_000).emitWithAck('lab:start', { slug: 'pods' })).toMatchObject({ ok: true });
    expect(provider.created).toHaveLength(2);
  });
});

describe('a timed scenario through the app', () => {
  let dir: string;
  let app: App;
  let base: string;
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 9, 0));
  const checks = new FakeChecks();
  const sockets: Socket[] = [];

  beforeAll(async () => {
    ({ dir, app, base } = await fakeApp({}, { clock, checks: checks.create }));
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('takes tasks in any order, scores their points, keeps the clock from the first session, stops scoring at time-up and shows the score in the catalog', async () => {
    const res = await fetch(`${base}/api/me`);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    const me = (await res.json()) as { socketToken: string };
    const labOf = async () => (await (await fetch(`${base}/api/labs/ckad-practice`, { headers: { cookie } })).json()) as { gated: boolean; steps: { number: number; points?: number; solution?: string }[]; scenario: Record<string, unknown> };
    const before = await labOf();
    expect(before).toMatchObject({ gated: false, scenario: { scenarioType: 'timed', score: 0, timeLimitMinutes: 30, over: false } });
    const total = before.steps.reduce((sum, s) => sum + (s.points ?? 0), 0);
    expect(before.scenario.totalPoints).toBe(total);
    expect(before.scenario).not.toHaveProperty('endsAt'); // the clock starts with the first session

    const socket = connect(`${base}/lab`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: me.socketToken } });
    sockets.push(socket);
    const started = (await socket.timeout(10_000).emitWithAck('lab:start', { slug: 'ckad-practice' })) as { ok: true; sessionId: string; examEndsAt: number };
    expect(started).toMatchObject({ ok: true, examEndsAt: clock.now() + 30 * 60_000 });
    const { sessionId } = started;

    // Task 5 first: scenarios are not gated.
    expect(await socket.timeout(5000).emitWithAck('lab:goto', { sessionId, step: 5 })).toMatchObject({ ok: true, step: 5 });
    checks.passing = true;
    expect(await socket.timeout(5000).emitWithAck('lab:check', { sessionId })).toMatchObject({ ok: true, passed: true, passedSteps: [5] });
    const five = before.steps[4]!.points!;
    const during = await labOf();
    expect(during.scenario).toMatchObject({ score: five, endsAt: started.examEndsAt, over: false, tasks: expect.arrayContaining([{ step: 5, title: expect.any(String), points: five, passedAt: clock.now() }]) });
    expect(during.steps[4]!.solution).toBeDefined(); // a passed task shows its solution
    expect(during.steps[0]!.solution).toBeUndefined(); // the others stay hidden while the clock runs

    // A second start (a reload, a new session) does not restart the clock.
    clock.time += 10 * 60_000;
    expect(await socket.timeout(10_000).emitWithAck('lab:start', { slug: 'ckad-practice' })).toMatchObject({ examEndsAt: started.examEndsAt });

    clock.time += 21 * 60_000; // past the 30 minutes (without running the idle sweep)
    expect(await socket.timeout(5000).emitWithAck('lab:goto', { sessionId, step: 1 })).toMatchObject({ ok: true });
    expect(await socket.timeout(5000).emitWithAck('lab:check', { sessionId })).toMatchObject({ ok: false, error: { code: 'TIME_UP', message: expect.stringContaining('30-minute limit has passed') } });
    const after = await labOf();
    expect(after.scenario).toMatchObject({ score: five, over: true, usedMs: 30 * 60_000 });
    expect(after.steps[0]!.solution).toBeDefined();

    const catalog = (await (await fetch(`${base}/api/catalog`, { headers: { cookie } })).json()) as { scenarios: { slug: string; totalPoints: number; bestScore?: number; scenarioType: string; timeLimitMinutes: number }[] };
    expect(catalog.scenarios.find((s) => s.slug === 'ckad-practice')).toMatchObject({ scenarioType: 'timed', timeLimitMinutes: 30, totalPoints: total, bestScore: five });
    expect(catalog.scenarios.find((s) => s.slug === 'crashloop')).not.toHaveProperty('bestScore');
  });
});

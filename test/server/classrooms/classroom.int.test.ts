// Classrooms through the real server on a random port (real socket.io, real SQLite file, a real
// local bash standing in for the toolbox shell), with fake clusters: instructor sign-in and its
// rate limit, creating a classroom with pre-warm, joining (codes, seats, rejoin, rate limit), the
// live dashboard, hands, messages, pacing, shadowing with and without consent, reset, extend,
// export, summary, timeline and the end that tears every cluster down.
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { type Socket, io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttendeeClassroom, ClassroomInfo, ClassroomMessage, DashboardSnapshot } from '../../../protocol/classroom.js';
import { type App, createApp } from '../../../server/app.js';
import { parseConfig } from '../../../server/config.js';
import { systemClock } from '../../../server/sessions/session-manager.js';
import { FakeChecks, FakeEnvironments, FakeProvider, FakeToolboxes } from '../sessions/session-manager-fakes.js';

const READY = { ready: true, docker: { ok: true, detail: 'fake' }, kind: { ok: true, detail: 'fake' }, images: { ok: true, detail: 'fake' } };
const TOKEN = 'instructor-secret-for-tests';

/** A local bash for terminals; exec answers the history read with a bash_history of two commands. */
class LocalShellToolboxes extends FakeToolboxes {
  constructor(private readonly now: () => number) {
    super();
  }
  override attach(name: string) {
    const history = () => {
      const s = Math.floor(this.now() / 1000);
      return `#${s - 2}\nkubectl get pods\n#${s - 1}\nkubectl run web --image=nginx\n`;
    };
    return {
      ...super.attach(name),
      shellCommand: (): [string, string[]] => ['bash', ['--noprofile', '--norc', '-i']],
      exec: async (script: string) => ({ exitCode: 0, output: script.includes('bash_history') ? history() : '' }),
    };
  }
}

const until = async (predicate: () => boolean, ms = 3000) => {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('classrooms on the real server, with fake clusters', () => {
  let dir: string;
  let app: App;
  let base: string;
  let skew = 0;
  const sockets: Socket[] = [];
  const checks = new FakeChecks();
  const provider = new FakeProvider();
  const clock = { now: () => Date.now() + skew, every: systemClock.every };
  let instructorCookie = '';
  let classroom: ClassroomInfo;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kubelab-cls-'));
    const config = parseConfig(['--data-dir', dir, '--pool-size', '0', '--instructor-token', TOKEN], {}, process.cwd());
    app = await createApp(config, {
      logger: pino({ level: 'silent' }),
      provider,
      toolboxes: new LocalShellToolboxes(() => clock.now()),
      readiness: async () => READY,
      environment: new FakeEnvironments().create,
      checks: checks.create,
      images: { node: 'n', toolbox: 't' },
      clientDir: path.join(dir, 'no-client'),
      clock,
      terminalEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: dir },
    });
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await app?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const call = async (method: string, url: string, options: { cookie?: string; body?: unknown } = {}) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { ...(options.cookie && { cookie: options.cookie }), ...(options.body !== undefined && { 'content-type': 'application/json' }) },
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json: json as Record<string, unknown> & { error?: { code: string; message: string } } };
  };
  const instructor = (method: string, url: string, body?: unknown) => call(method, `/api/instructor${url}`, { cookie: instructorCookie, ...(body !== undefined && { body }) });
  const socket = (namespace: string, auth: Record<string, string>) => {
    const s = connect(`${base}${namespace}`, { transports: ['websocket'], reconnection: false, forceNew: true, auth });
    sockets.push(s);
    return s;
  };
  const connected = (s: Socket) =>
    new Promise<{ ok: boolean; code?: string }>((resolve) => {
      s.once('connect', () => resolve({ ok: true }));
      s.once('connect_error', (error: Error & { data?: { code: string } }) => resolve({ ok: false, code: error.data?.code ?? error.message }));
    });

  /** A browser: its visitor cookie and socket token. */
  const attendee = async () => {
    const res = await fetch(`${base}/api/me`);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    const me = (await res.json()) as { visitorId: string; socketToken: string };
    return { cookie, ...me };
  };
  type Attendee = Awaited<ReturnType<typeof attendee>>;
  const ask = <T>(s: Socket, event: string, payload: unknown) => s.timeout(5000).emitWithAck(event, payload) as Promise<T>;

  it('refuses instructor routes without the instructor cookie, to attendees too', async () => {
    const visitor = await attendee();
    for (const [method, url] of [['GET', '/classrooms'], ['POST', '/classrooms'], ['GET', '/capacity']] as const) {
      const r = await call(method, `/api/instructor${url}`, { cookie: visitor.cookie, ...(method === 'POST' && { body: {} }) });
      expect(r.status).toBe(401);
      expect(r.json.error?.code).toBe('INSTRUCTOR_ONLY');
    }
    const forged = await call('GET', '/api/instructor/classrooms', { cookie: `kubelab_instructor=${Date.now() + 1e6}.forged` });
    expect(forged.status).toBe(401);
  });

  it('limits wrong instructor tokens per address, then signs in with the right one', async () => {
    for (let i = 0; i < 5; i++) expect((await call('POST', '/api/instructor/login', { body: { token: `wrong-token-${i}` } })).status).toBe(403);
    const limited = await call('POST', '/api/instructor/login', { body: { token: TOKEN } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    skew += 61_000;
    const ok = await call('POST', '/api/instructor/login', { body: { token: TOKEN } });
    expect(ok.status).toBe(200);
    const cookie = ok.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^kubelab_instructor=\d+\.[\w-]+; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);
    instructorCookie = cookie.split(';')[0]!;
    expect((await instructor('GET', '/classrooms')).status).toBe(200);
  });

  it('creates a classroom with a join code, pre-warms its clusters and estimates capacity', async () => {
    const bad = await instructor('POST', '/classrooms', { name: 'x', labs: ['no-such-lab'], seats: 3, prewarm: 0, sessionMinutes: 60, gated: true });
    expect(bad.status).toBe(400);
    expect(bad.json.error?.message).toContain('no-such-lab');
    const r = await instructor('POST', '/classrooms', { name: 'Kubernetes basics', labs: ['pods'], seats: 3, prewarm: 2, sessionMinutes: 90, gated: true, stuckMinutes: 10 });
    expect(r.status).toBe(200);
    classroom = (r.json as unknown as { classroom: ClassroomInfo }).classroom;
    expect(classroom.code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
    expect(classroom.joinPath).toBe(`/join/${classroom.code}`);
    expect(classroom.labs.map((l) => l.slug)).toEqual(['pods']);
    await until(() => (app.sessions?.status().pool?.ready ?? 0) === 2);
    expect(provider.created.length).toBeGreaterThanOrEqual(2);
    const capacity = await instructor('GET', '/capacity');
    expect(capacity.json).toMatchObject({ clusters: expect.any(Number), cpus: expect.any(Number) });
    const qr = await call('GET', `/api/instructor/classrooms/${classroom.id}/qr.svg`, { cookie: instructorCookie });
    expect(qr.headers.get('content-type')).toContain('image/svg+xml');
    expect(qr.text).toMatch(/^<svg[^>]*viewBox/);
  });

  let ada: Attendee;
  let bob: Attendee;
  let cy: Attendee;

  it('joins attendees with the code (any case, with a dash), keeps a rejoining seat, refuses a full room', async () => {
    [ada, bob, cy] = [await attendee(), await attendee(), await attendee()];
    const dashed = `${classroom.code.slice(0, 4).toLowerCase()}-${classroom.code.slice(4)}`;
    const joined = await call('POST', '/api/join', { cookie: ada.cookie, body: { code: dashed, displayName: 'Ada' } });
    expect(joined.status).toBe(200);
    expect((joined.json.classroom as AttendeeClassroom).seat).toBe(1);
    expect((await call('POST', '/api/join', { cookie: bob.cookie, body: { code: classroom.code, displayName: 'Bob' } })).status).toBe(200);
    expect((await call('POST', '/api/join', { cookie: cy.cookie, body: { code: classroom.code, displayName: 'Cy' } })).status).toBe(200);
    const again = await call('POST', '/api/join', { cookie: ada.cookie, body: { code: classroom.code, displayName: 'Ada L.' } });
    expect((again.json.classroom as AttendeeClassroom).seat).toBe(1);
    const late = await attendee();
    const full = await call('POST', '/api/join', { cookie: late.cookie, body: { code: classroom.code, displayName: 'Dee' } });
    expect(full.status).toBe(409);
    expect(full.json.error?.code).toBe('CLASSROOM_FULL');
    const mine = await call('GET', '/api/classroom', { cookie: bob.cookie });
    expect((mine.json.classroom as AttendeeClassroom).name).toBe('Kubernetes basics');
  });

  it('limits wrong join codes per address but never counts successful joins', async () => {
    const someone = await attendee();
    for (let i = 0; i < 10; i++) {
      const r = await call('POST', '/api/join', { cookie: someone.cookie, body: { code: 'ZZZZZZZZ', displayName: 'Guesser' } });
      expect(r.status).toBe(404);
    }
    const limited = await call('POST', '/api/join', { cookie: ada.cookie, body: { code: classroom.code, displayName: 'Ada' } });
    expect(limited.status).toBe(429);
    expect(limited.json.error?.message).toMatch(/try again in \d+ s/);
    skew += 10 * 60_000;
    expect((await call('POST', '/api/join', { cookie: ada.cookie, body: { code: classroom.code, displayName: 'Ada' } })).status).toBe(200);
  });

  let dashboard: Socket;
  let latest: DashboardSnapshot | undefined;
  const adaSession = { id: '', token: '' };

  it('pushes progress to the dashboard within a second: a started lab, then failing checks as stuck', async () => {
    const me = await call('GET', '/api/instructor/me', { cookie: instructorCookie });
    const socketToken = String(me.json.socketToken);
    const refused = socket('/classroom', { instructor: 'nope' });
    expect((await connected(refused)).code).toBe('INSTRUCTOR_ONLY');
    dashboard = socket('/classroom', { instructor: socketToken });
    dashboard.on('dashboard:snapshot', (s: DashboardSnapshot) => (latest = s));
    expect((await connected(dashboard)).ok).toBe(true);
    dashboard.emit('dashboard:watch', { classroomId: classroom.id });
    await until(() => latest?.seats.length === 3);
    expect(latest!.seats.map((s) => s.displayName)).toEqual(['Ada', 'Bob', 'Cy']);
    expect(latest!.seats[0]!.cells.every((c) => c === 'not-started')).toBe(true);

    const lab = socket('/lab', { token: ada.socketToken });
    await connected(lab);
    const ready = await ask<{ ok: true; sessionId: string; sessionToken: string }>(lab, 'lab:start', { slug: 'pods' });
    expect(ready.ok).toBe(true);
    adaSession.id = ready.sessionId;
    adaSession.token = ready.sessionToken;
    const started = Date.now();
    await until(() => latest?.seats[0]?.cluster === 'ready' && latest.seats[0].current?.step === 1, 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(latest!.seats[0]!.cells[0]).toBe('in-progress');
    // A warm cluster was used, and the pool tops up to what the room still needs.
    expect(latest!.pool?.target).toBe(1);

    for (let i = 0; i < 3; i++) expect((await ask<{ ok: boolean; passed: boolean }>(lab, 'lab:check', { sessionId: ready.sessionId })).passed).toBe(false);
    await until(() => latest?.seats[0]?.failStreak === 3, 1000);
    expect(latest!.seats[0]!.cells[0]).toBe('failing');
    expect(latest!.seats[0]!.stuck?.reason).toBe('3 failed checks in a row on step 1');
    checks.passing = true;
    expect((await ask<{ passed: boolean }>(lab, 'lab:check', { sessionId: ready.sessionId })).passed).toBe(true);
    await until(() => latest?.seats[0]?.cells[0] === 'passed', 1000);
    expect(latest!.seats[0]!.stuck).toBeNull();
    expect(latest!.steps[0]).toMatchObject({ lab: 'pods', step: 1, passed: 1 });
    checks.passing = false;
  });

  it('queues raised hands on the dashboard and lowers them when resolved', async () => {
    expect((await call('POST', '/api/classroom/hand', { cookie: bob.cookie, body: { raised: true, note: 'kubectl hangs' } })).status).toBe(200);
    await until(() => latest?.hands.length === 1, 1000);
    expect(latest!.hands[0]).toMatchObject({ displayName: 'Bob', note: 'kubectl hangs' });
    expect(latest!.seats[1]!.hand?.note).toBe('kubectl hangs');
    expect((await instructor('POST', `/classrooms/${classroom.id}/hands/${latest!.hands[0]!.id}/resolve`, {})).status).toBe(200);
    await until(() => latest?.hands.length === 0, 1000);
  });

  it('delivers a broadcast to every attendee and a direct message to one', async () => {
    const received: Record<string, ClassroomMessage[]> = { ada: [], bob: [] };
    for (const [name, who] of [['ada', ada], ['bob', bob]] as const) {
      const s = socket('/classroom', { token: who.socketToken });
      s.on('classroom:message', (m: ClassroomMessage) => received[name]!.push(m));
      await connected(s);
    }
    expect((await instructor('POST', `/classrooms/${classroom.id}/message`, { text: 'Break until 11:00' })).json.sent).toBe(3);
    expect((await instructor('POST', `/classrooms/${classroom.id}/message`, { text: 'Look at your service selector', visitors: [bob.visitorId] })).json.sent).toBe(1);
    await until(() => received.bob!.length === 2 && received.ada!.length === 1, 1000);
    expect(received.ada![0]).toMatchObject({ text: 'Break until 11:00', direct: false });
    expect(received.bob![1]).toMatchObject({ text: 'Look at your service selector', direct: true });
    expect((await call('POST', `/api/instructor/classrooms/${classroom.id}/message`, { cookie: bob.cookie, body: { text: 'spoof' } })).status).toBe(401);
  });

  it('holds the class at a step and releases it', async () => {
    const lab = socket('/lab', { token: ada.socketToken });
    await connected(lab);
    expect((await instructor('POST', `/classrooms/${classroom.id}/pace`, { pace: { lab: 'pods', step: 1 } })).status).toBe(200);
    const held = await ask<{ ok: false; error: { code: string; message: string } }>(lab, 'lab:goto', { sessionId: adaSession.id, step: 2 });
    expect(held.error.code).toBe('STEP_LOCKED');
    expect(held.error.message).toContain('holding the class at step 1');
    expect((await instructor('POST', `/classrooms/${classroom.id}/pace`, { pace: null })).status).toBe(200);
    expect((await ask<{ ok: boolean; step: number }>(lab, 'lab:goto', { sessionId: adaSession.id, step: 2 })).step).toBe(2);
  });

  it('shadows a terminal read-only, refuses typing without consent, and types once the attendee allows it', async () => {
    const own = socket('/terminal', { token: adaSession.token });
    let ownOutput = '';
    own.on('terminal:output', (m: { data: ArrayBuffer }) => (ownOutput += Buffer.from(m.data).toString()));
    await connected(own);
    const attached = new Promise((resolve) => own.once('terminal:attached', resolve));
    own.emit('terminal:attach', { sessionId: adaSession.id, terminalId: '1', cols: 100, rows: 30 });
    await attached;
    own.emit('terminal:input', { sessionId: adaSession.id, terminalId: '1', data: 'echo typed-by-$((40+2))\r' });
    await until(() => ownOutput.includes('typed-by-42'));

    // An attendee's tokens do not open the shadow namespace, nor another attendee's terminal.
    expect((await connected(socket('/shadow', { instructor: bob.socketToken }))).code).toBe('INSTRUCTOR_ONLY');
    const bobLab = socket('/lab', { token: bob.socketToken });
    await connected(bobLab);
    const bobReady = await ask<{ sessionToken: string; sessionId: string }>(bobLab, 'lab:start', { slug: 'pods' });
    const snoop = socket('/terminal', { token: bobReady.sessionToken });
    const snoopErrors: { code: string }[] = [];
    snoop.on('terminal:error', (e: { code: string }) => snoopErrors.push(e));
    await connected(snoop);
    snoop.emit('terminal:attach', { sessionId: adaSession.id, terminalId: '1', cols: 80, rows: 24 });
    await until(() => snoopErrors.length === 1);
    expect(snoopErrors[0]!.code).toBe('TERMINAL_FORBIDDEN');

    const me = await call('GET', '/api/instructor/me', { cookie: instructorCookie });
    const shadow = socket('/shadow', { instructor: String(me.json.socketToken) });
    let seen = '';
    const errors: { code: string; message: string }[] = [];
    const sizes: { cols: number }[] = [];
    shadow.on('terminal:output', (m: { data: ArrayBuffer }) => (seen += Buffer.from(m.data).toString()));
    shadow.on('terminal:attached', (m: { cols: number }) => sizes.push(m));
    const resized: unknown[] = [];
    shadow.on('terminal:size', (m: unknown) => resized.push(m));
    shadow.on('terminal:error', (e: { code: string; message: string }) => errors.push(e));
    expect((await connected(shadow)).ok).toBe(true);
    shadow.emit('terminal:attach', { sessionId: adaSession.id, terminalId: '1', cols: 40, rows: 10 });
    await until(() => seen.includes('typed-by-42'));
    expect(sizes[0]!.cols).toBe(100); // the shadow does not shrink the attendee's terminal
    own.emit('terminal:input', { sessionId: adaSession.id, terminalId: '1', data: 'echo live-$((6*7))\r' });
    await until(() => seen.includes('live-42'));

    shadow.emit('terminal:input', { sessionId: adaSession.id, terminalId: '1', data: 'echo from-instructor-$((1+1))\r' });
    await until(() => errors.length === 1);
    expect(errors[0]!.code).toBe('TERMINAL_FORBIDDEN');
    expect(ownOutput).not.toContain('from-instructor-2');
    expect((await call('POST', '/api/classroom/consent', { cookie: ada.cookie, body: { allow: true } })).status).toBe(409); // nobody asked yet

    const requests: unknown[] = [];
    const adaClassroom = socket('/classroom', { token: ada.socketToken });
    adaClassroom.on('classroom:takeover-request', () => requests.push(1));
    await connected(adaClassroom);
    expect((await instructor('POST', `/classrooms/${classroom.id}/takeover`, { visitor: ada.visitorId })).status).toBe(200);
    await until(() => requests.length === 1);
    await until(() => latest?.seats[0]?.takeover === 'asked', 1000);
    expect((await call('POST', '/api/classroom/consent', { cookie: ada.cookie, body: { allow: true } })).status).toBe(200);
    await until(() => latest?.seats[0]?.takeover === 'granted', 1000);
    shadow.emit('terminal:input', { sessionId: adaSession.id, terminalId: '1', data: 'echo from-instructor-$((1+1))\r' });
    await until(() => ownOutput.includes('from-instructor-2'));

    // The attendee withdraws: typing stops at once.
    expect((await call('POST', '/api/classroom/consent', { cookie: ada.cookie, body: { allow: false } })).status).toBe(200);
    shadow.emit('terminal:input', { sessionId: adaSession.id, terminalId: '1', data: 'echo again\r' });
    await until(() => errors.length === 2);
    expect(errors[1]!.code).toBe('TERMINAL_FORBIDDEN');

    // The attendee closes their tab: the shadow alone does not resize their terminal.
    own.disconnect();
    await new Promise((r) => setTimeout(r, 300));
    expect(resized).toEqual([]);
  });

  it('shows the timeline: commands from the shell history and checks in time order', async () => {
    const r = await instructor('GET', `/classrooms/${classroom.id}/timeline/${ada.visitorId}`);
    expect(r.status).toBe(200);
    const { entries, commands } = r.json as unknown as { entries: { kind: string; command?: string; passed?: boolean; at: number }[]; commands: string };
    expect(commands).toBe('read');
    expect(entries.filter((e) => e.kind === 'command').map((e) => e.command)).toEqual(['kubectl get pods', 'kubectl run web --image=nginx']);
    expect(entries.filter((e) => e.kind === 'check').map((e) => e.passed)).toEqual([false, false, false, true]);
    expect(entries.map((e) => e.at)).toEqual([...entries.map((e) => e.at)].sort((a, b) => a - b));
  });

  it('resets and extends seats', async () => {
    const resets: unknown[] = [];
    const s = socket('/classroom', { token: ada.socketToken });
    s.on('classroom:reset', (m: unknown) => resets.push(m));
    await connected(s);
    const before = app.sessions!.sessionOf(ada.visitorId)!.expiresAt;
    const reset = await instructor('POST', `/classrooms/${classroom.id}/reset`, { visitors: [ada.visitorId] });
    expect(reset.json).toEqual({ reset: 1, failed: [] });
    await until(() => resets.length === 1);
    expect(app.sessions!.sessionOf(ada.visitorId)!.step).toBe(1);
    const extended = await instructor('POST', `/classrooms/${classroom.id}/extend`, { minutes: 15 });
    expect(extended.json.extended).toBe(2);
    expect(app.sessions!.sessionOf(ada.visitorId)!.expiresAt).toBe(before + 15 * 60_000);
  });

  it('exports results as CSV and JSON, and summarizes the funnel', async () => {
    const csv = await instructor('GET', `/classrooms/${classroom.id}/export.csv`);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="kubelab-Kubernetes-basics.csv"');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('seat,name,lab,step,title,startedAt,passedAt,secondsToPass,attempts,failedAttempts,firstAttemptAt,lastAttemptAt');
    const adaStep1 = lines.find((l) => l.startsWith('1,Ada,pods,1,'))!;
    expect(adaStep1.split(',').slice(8, 10)).toEqual(['4', '3']);
    const json = await instructor('GET', `/classrooms/${classroom.id}/export.json`);
    expect((json.json.rows as unknown[]).length).toBe(lines.length - 1);
    const summary = await instructor('GET', `/classrooms/${classroom.id}/summary`);
    const steps = summary.json.steps as { lab: string; step: number; started: number; passed: number; failedChecks: number; medianSeconds: number | null }[];
    expect(summary.json.attendees).toBe(3);
    expect(steps[0]).toMatchObject({ lab: 'pods', step: 1, passed: 1, failedChecks: 3 });
    expect(steps[0]!.medianSeconds).not.toBeNull();
  });

  it('ends the classroom: every seat session and its cluster go, joins are refused', async () => {
    const clusters = [app.sessions!.sessionOf(ada.visitorId), app.sessions!.sessionOf(bob.visitorId)].length;
    expect(clusters).toBe(2);
    const deletedBefore = provider.deleted.length;
    const ended = await instructor('POST', `/classrooms/${classroom.id}/end`, {});
    expect(ended.json).toEqual({ ended: 2 });
    expect(app.sessions!.sessionOf(ada.visitorId)).toBeUndefined();
    await until(() => provider.deleted.length === deletedBefore + 2);
    expect((await call('POST', '/api/join', { cookie: cy.cookie, body: { code: classroom.code, displayName: 'Cy' } })).status).toBe(410);
    expect(app.sessions!.status().pool).toMatchObject({ target: 0, ready: 0 });
    expect(provider.clusters.size).toBe(0); // nothing of the classroom is left running
  });

  it('ends a classroom by itself half an hour past its end time, telling its attendees', async () => {
    const skewBefore = skew; // earlier tests moved the clock on
    const endsAt = clock.now() + 60_000;
    const r = await instructor('POST', '/classrooms', { name: 'Evening class', labs: ['pods'], seats: 2, prewarm: 0, sessionMinutes: 60, gated: true, endsAt });
    const evening = (r.json as unknown as { classroom: ClassroomInfo }).classroom;
    const dee = await attendee();
    expect((await call('POST', '/api/join', { cookie: dee.cookie, body: { code: evening.code, displayName: 'Dee' } })).status).toBe(200);
    const room = socket('/classroom', { token: dee.socketToken });
    const told = new Promise<{ message: string }>((resolve) => room.on('classroom:ended', resolve));
    expect((await connected(room)).ok).toBe(true);
    const lab = socket('/lab', { token: dee.socketToken });
    await connected(lab);
    expect((await ask<{ ok: boolean }>(lab, 'lab:start', { slug: 'pods' })).ok).toBe(true);
    // At the end time and a little after, the room keeps running.
    skew = endsAt - Date.now() + 29 * 60_000;
    await app.classrooms.sweep();
    expect(app.sessions!.sessionOf(dee.visitorId)).toBeDefined();
    skew = endsAt - Date.now() + 30 * 60_000 + 1_000;
    try {
      await app.classrooms.sweep();
    } finally {
      skew = skewBefore;
    }
    expect(app.sessions!.sessionOf(dee.visitorId)).toBeUndefined();
    expect((await told).message).toContain('reached its end time');
    expect(((await instructor('GET', `/classrooms/${evening.id}`)).json as unknown as { classroom: { endedAt: number | null } }).classroom.endedAt).toEqual(expect.any(Number));
  });
});

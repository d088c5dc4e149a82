// Abuse: sockets that should never get in, and messages that should never do harm. The real app
// (both namespaces, session manager, SQLite) with fake clusters and a local shell; real socket.io
// clients. Every refusal is checked for its code, and after each abuse the victim session is
// shown to still work (Check answers, the terminal echoes).
import { TerminalStream } from '../../client/terminal/terminal-stream.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { type FakeLabApp, PROMPT, connected, startFakeLabApp } from '../support/fake-lab-app.js';

async function until(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A terminal on the session whose screen text the test can read. */
function terminal(socket: Socket, sessionId: string) {
  let text = '';
  const decoder = new TextDecoder();
  const stream = new TerminalStream(socket, { sessionId, terminalId: '1' }, { write: (d, cb) => ((text += typeof d === 'string' ? d : decoder.decode(d, { stream: true })), cb?.()) }, { cols: 100, rows: 30 });
  return {
    stream,
    text: () => text,
    /** Types a command that prints a computed marker and waits for the marker. */
    async echo(n: number) {
      stream.input(`echo marker-$((${n}*2))\r`);
      await until(`marker-${n * 2}`, () => text.includes(`marker-${n * 2}`));
    },
  };
}

describe('abuse: cross-origin sockets', () => {
  let f: FakeLabApp;
  beforeAll(async () => {
    f = await startFakeLabApp({ args: ['--allowed-origins', 'https://lab.example.org'] });
  });
  afterAll(async () => f?.close());

  const ORIGINS = ['http://evil.example', 'null', 'https://lab.example.org.evil.example', 'http://127.0.0.1.evil.example', 'not a url'];

  it('refuses every foreign Origin on /lab and /terminal even with valid tokens, and accepts its own and the allowed one', async () => {
    const { ready, visitorId } = await f.startLab();
    const { socketToken } = await f.visitor();
    for (const origin of ORIGINS) {
      expect(await connected(f.socket('/lab', { token: socketToken, origin })), `/lab from ${origin}`).toMatchObject({ ok: false, code: 'ORIGIN_REFUSED' });
      expect(await connected(f.socket('/terminal', { token: ready.sessionToken, origin })), `/terminal from ${origin}`).toMatchObject({ ok: false, code: 'ORIGIN_REFUSED' });
    }
    // The same host on another port is another origin.
    const otherPort = f.base.replace(/:(\d+)$/, (_m, p: string) => `:${Number(p) + 1}`);
    expect(await connected(f.socket('/terminal', { token: ready.sessionToken, origin: otherPort }))).toMatchObject({ ok: false, code: 'ORIGIN_REFUSED' });
    // Controls: the page's own origin, the configured proxy origin, and a non-browser (no Origin).
    for (const origin of [f.base, 'https://lab.example.org', null]) {
      expect(await connected(f.socket('/lab', { token: socketToken, origin })), `/lab from ${origin}`).toEqual({ ok: true });
      expect(await connected(f.socket('/terminal', { token: ready.sessionToken, origin })), `/terminal from ${origin}`).toEqual({ ok: true });
    }
    expect(f.app.sessions?.sessionOf(visitorId)?.sessionId).toBe(ready.sessionId);
  });

  it('refuses a terminal socket carrying a visitor token instead of a session token, or another session\'s id', async () => {
    const a = await f.startLab();
    const b = await f.startLab();
    expect(await connected(f.socket('/terminal', { token: (await f.visitor()).socketToken }))).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });
    // B's token, A's session id: the attach is refused and A's shell never starts for B.
    const socket = f.socket('/terminal', { token: b.ready.sessionToken });
    expect(await connected(socket)).toEqual({ ok: true });
    const error = new Promise<{ code: string }>((resolve) => socket.once('terminal:error', resolve));
    socket.emit('terminal:attach', { sessionId: a.ready.sessionId, terminalId: '1', cols: 80, rows: 24 });
    expect((await error).code).toBe('TERMINAL_FORBIDDEN');
  });
});

describe('abuse: malformed and oversized messages on /lab', () => {
  let f: FakeLabApp;
  beforeAll(async () => {
    f = await startFakeLabApp();
  });
  afterAll(async () => f?.close());

  const deep = (n: number): unknown => (n === 0 ? 'x' : [deep(n - 1)]);
  const MALFORMED: Array<[string, unknown]> = [
    ['lab:start', undefined],
    ['lab:start', null],
    ['lab:start', 'pods'],
    ['lab:start', 42],
    ['lab:start', ['pods']],
    ['lab:start', { slug: '../../etc/passwd' }],
    ['lab:start', { slug: 'pods', extra: true }],
    ['lab:start', { slug: 'x'.repeat(300_000) }],
    ['lab:start', JSON.parse('{"slug":"pods","__proto__":{"polluted":true}}')],
    ['lab:check', { sessionId: { $ne: null } }],
    ['lab:check', { sessionId: 'ABCDEF' }],
    ['lab:check', { sessionId: 'f'.repeat(32), step: 1 }],
    ['lab:goto', { sessionId: 'f'.repeat(32), step: 1e9 }],
    ['lab:goto', { sessionId: 'f'.repeat(32), step: -1 }],
    ['lab:jump', { sessionId: 'f'.repeat(32), step: 1.5 }],
    ['lab:jump', { sessionId: 'f'.repeat(32), step: '2' }],
    ['lab:reset', deep(2_000)],
    ['lab:extend', Buffer.from('binary payload')],
    ['lab:end', { sessionId: 'f'.repeat(32), sessionIdd: 'x' }],
  ];

  it('answers each malformed payload with BAD_REQUEST naming the field, and the session keeps working', async () => {
    const { lab, ready, visitorId } = await f.startLab();
    const term = terminal(f.socket('/terminal', { token: ready.sessionToken }), ready.sessionId);
    await until('the prompt', () => term.text().includes(PROMPT));
    for (const [event, payload] of MALFORMED) {
      const reply = (await lab.timeout(5_000).emitWithAck(event, payload)) as { ok: boolean; error?: { code: string; message: string } };
      expect(reply, `${event} ${JSON.stringify(payload)?.slice(0, 80)}`).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringContaining(event) } });
      expect(reply.error!.message.length, 'the message does not echo a huge payload back').toBeLessThan(2_000);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Requests without an acknowledgement, unknown events and a burst of garbage: ignored.
    lab.emit('lab:check', { sessionId: ready.sessionId });
    lab.emit('lab:nonsense', { a: 1 });
    for (let i = 0; i < 500; i++) lab.emit('lab:start', { slug: i });
    const check = (await lab.timeout(5_000).emitWithAck('lab:check', { sessionId: ready.sessionId })) as { ok: boolean; step: number };
    expect(check).toMatchObject({ ok: true, step: 1 });
    expect(lab.connected).toBe(true);
    await term.echo(21);
    expect(f.app.sessions?.sessionOf(visitorId)?.sessionId).toBe(ready.sessionId);
  });

  it("refuses to act on another visitor's session", async () => {
    const victim = await f.startLab();
    const attacker = await f.startLab();
    for (const event of ['lab:check', 'lab:reset', 'lab:extend', 'lab:end']) {
      const reply = await attacker.lab.timeout(5_000).emitWithAck(event, { sessionId: victim.ready.sessionId });
      expect(reply, event).toMatchObject({ ok: false, error: { code: 'NO_SUCH_SESSION' } });
    }
    expect(await attacker.lab.timeout(5_000).emitWithAck('lab:jump', { sessionId: victim.ready.sessionId, step: 1 })).toMatchObject({ ok: false, error: { code: 'NO_SUCH_SESSION' } });
    expect(f.app.sessions?.sessionOf(victim.visitorId)?.sessionId).toBe(victim.ready.sessionId);
  });

  it('drops a socket that sends an oversized frame; the session, its terminal and a reconnect are unharmed', async () => {
    const { lab, ready, visitorId } = await f.startLab();
    const term = terminal(f.socket('/terminal', { token: ready.sessionToken }), ready.sessionId);
    await until('the prompt', () => term.text().includes(PROMPT));
    const { socketToken } = await f.visitor();
    // Another socket of the same kind (a second tab) to compare: it must stay connected.
    const reason = new Promise<string>((resolve) => lab.once('disconnect', resolve));
    lab.emit('lab:start', { slug: 'x'.repeat(2 * 1024 * 1024) });
    expect(await reason).toBe('transport close');
    await term.echo(33);
    expect(f.app.sessions?.sessionOf(visitorId)?.sessionId).toBe(ready.sessionId);
    // The attendee's reconnect gets their running session back.
    const tokenOf = (lab as unknown as { auth: { token: string } }).auth.token;
    const again = f.socket('/lab', { token: tokenOf });
    const resumed = new Promise<{ sessionId: string }>((resolve) => again.once('lab:ready', resolve));
    expect(await connected(again)).toEqual({ ok: true });
    expect((await resumed).sessionId).toBe(ready.sessionId);
    expect(await again.timeout(5_000).emitWithAck('lab:check', { sessionId: ready.sessionId })).toMatchObject({ ok: true });
    // Other visitors were never affected.
    expect(await connected(f.socket('/lab', { token: socketToken }))).toEqual({ ok: true });
  });
});

// Real server on a random port, real socket.io clients, real bash in a real pty; screens are read
// through @xterm/headless fed by the browser's own TerminalStream.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { TerminalSink } from '../../../client/terminal/terminal-stream.js';
import { HeadlessClient, PROMPT, bashLauncher, startTerminalServer, until } from './terminal-test-server.js';
import type { TestServer } from './terminal-test-server.js';

const ref = { sessionId: 's1', terminalId: 'shell' };
const promptLine = PROMPT.trimEnd();

let server: TestServer | undefined;
const clients: HeadlessClient[] = [];

async function setup(options?: Parameters<typeof startTerminalServer>[0]): Promise<TestServer> {
  server = await startTerminalServer(options);
  return server;
}

function client(s: TestServer, options?: ConstructorParameters<typeof HeadlessClient>[2], at = ref): HeadlessClient {
  const c = new HeadlessClient(s.url, at, options);
  clients.push(c);
  return c;
}

/** Waits until the last line of the screen is a bare prompt (the shell is idle). */
function idle(c: HeadlessClient, timeoutMs = 5_000): Promise<void> {
  return c.waitFor((t) => t.split('\n').at(-1) === promptLine, timeoutMs, 'an idle prompt');
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

describe('terminal over socket.io', () => {
  it('shows the output of a typed command on the client screen', async () => {
    const s = await setup();
    const a = client(s);
    await idle(a);
    a.stream.input('echo hello-$((6*7))\r');
    await a.waitForText('hello-42');
    expect(a.lines()).toContain('hello-42');
  });

  it('stops a yes flood within one second of Ctrl-C while the client acknowledges', async () => {
    const s = await setup();
    const a = client(s);
    await idle(a);
    a.stream.input('yes kubelab-flood\r');
    await until(() => a.stream.seq > 512 * 1024, 10_000, 'half a megabyte of yes');
    const pressed = Date.now();
    a.stream.input('\x03');
    await idle(a, 5_000);
    const elapsed = Date.now() - pressed;
    expect(elapsed).toBeLessThan(1_000);
    a.stream.input('echo after-$((1+1))\r');
    await a.waitForText('after-2');
  });

  it('pauses the pty for a slow client and delivers every byte once it catches up', async () => {
    const s = await setup();
    // Renders at 500 KB/s: each chunk is acknowledged only after the chunks before it.
    let readyAt = 0;
    const slow = (screen: TerminalSink): TerminalSink => ({
      write: (data, callback) =>
        screen.write(data, () => {
          readyAt = Math.max(Date.now(), readyAt) + data.length / 500;
          setTimeout(() => callback?.(), readyAt - Date.now());
        }),
    });
    const a = client(s, { sink: slow });
    await idle(a);
    a.stream.input('seq 1 150000; echo END-$((2*3))\r');
    await a.waitForText('END-6', 20_000);
    const terminal = s.registry.get(ref);
    expect(terminal?.stats().pauses).toBeGreaterThan(0);
    expect(a.stream.seq).toBe(terminal?.endSeq);
    expect(a.lines()).toContain('150000');
  });

  it('detaches a client that stops acknowledging so another keeps receiving, and the stalled one recovers', async () => {
    // A small replay buffer, so that the gap notice stays within the headless scrollback.
    const s = await setup({ terminal: { flow: { stallTimeoutMs: 300 }, replayBytes: 32 * 1024 } });
    const held: Array<() => void> = [];
    let holding = true;
    const stuck = (screen: TerminalSink): TerminalSink => ({
      write: (data, callback) => screen.write(data, () => (holding ? held.push(() => callback?.()) : callback?.())),
    });
    const frozen = client(s, { sink: stuck });
    const live = client(s);
    await idle(live);
    live.stream.input('seq 1 100000; echo FIN-$((3*3))\r');
    await live.waitForText('FIN-9', 20_000);
    const error = await frozen.errorWith('TERMINAL_CLIENT_STALLED');
    expect(error).toMatchObject(ref);
    expect(s.registry.get(ref)?.stats().stalls).toBe(1);
    holding = false;
    for (const release of held.splice(0)) release();
    await frozen.waitForText('FIN-9', 10_000);
    expect(frozen.text()).toMatch(/\[kubelab: skipped \d+ bytes of old output\]/);
    expect(frozen.stream.seq).toBe(s.registry.get(ref)?.endSeq);
  });

  it('resumes after a dropped socket with the same screen as a client that never disconnected', async () => {
    const s = await setup();
    const steady = client(s);
    const flaky = client(s);
    await idle(steady);
    await idle(flaky);
    steady.stream.input("for i in $(seq 1 2000); do printf 'line %05d \\e[3%dmcolour\\e[0m\\n' $i $((i % 8)); (( i % 100 )) || sleep 0.05; done; echo DONE-$((6*7))\r");
    await until(() => flaky.stream.seq > 10_000, 10_000, 'some output on the flaky client');
    flaky.socket.disconnect();
    const seenBeforeDrop = flaky.stream.seq;
    await new Promise((r) => setTimeout(r, 150));
    flaky.socket.connect();
    await steady.waitForText('DONE-42', 20_000);
    await idle(steady);
    await idle(flaky);
    const endSeq = s.registry.get(ref)?.endSeq;
    expect(seenBeforeDrop).toBeLessThan((endSeq ?? 0) - 10_000);
    expect(flaky.stream.seq).toBe(endSeq);
    expect(steady.stream.seq).toBe(endSeq);
    expect(flaky.lines()).toEqual(steady.lines());
    expect(flaky.lines().filter((l) => l.startsWith('line '))).toHaveLength(2000);
  });

  it('shows the same output to two clients attached to the same terminal, whoever types', async () => {
    const s = await setup();
    const a = client(s);
    const b = client(s);
    await idle(a);
    await idle(b);
    b.stream.input('echo from-b-$((5*5))\r');
    await a.waitForText('from-b-25');
    await b.waitForText('from-b-25');
    await idle(a);
    await idle(b);
    expect(a.lines()).toEqual(b.lines());
    expect(s.registry.list('s1')).toHaveLength(1);
  });

  it('sizes the pty to the smallest attached screen and restores it when that screen leaves', async () => {
    const s = await setup();
    const a = client(s, { cols: 100, rows: 30 });
    await idle(a);
    a.stream.input('stty size\r');
    await a.waitForText('30 100');
    const b = client(s, { cols: 60, rows: 20 });
    await idle(b);
    b.stream.input('stty size\r');
    await b.waitForText('20 60');
    b.close();
    await until(() => s.registry.get(ref)?.size.cols === 100, 5_000, 'the size to return to 100 columns');
    a.stream.input('clear; stty size\r');
    await a.waitFor((t) => t.includes('30 100') && !t.includes('20 60'), 5_000, 'size 30 100 again');
    a.stream.resize({ cols: 90, rows: 25 });
    a.stream.input('clear; stty size\r');
    await a.waitForText('25 90');
  });

  it('reports the exit code to attached clients and to clients attaching after the end', async () => {
    const s = await setup();
    const a = client(s);
    await idle(a);
    a.stream.input('exit 3\r');
    await until(() => a.exit !== undefined, 5_000, 'the exit');
    expect(a.exit).toEqual({ exitCode: 3 });
    expect(s.registry.get(ref)?.exit).toEqual({ exitCode: 3 });
    const late = client(s);
    await until(() => late.exit !== undefined, 5_000, 'the exit on a late client');
    expect(late.exit).toEqual({ exitCode: 3 });
  });

  it('after exit shows the notice, starts one new shell on Enter in the same terminal, and keeps every tab at the same offsets', async () => {
    const s = await setup();
    const restarts = { a: [] as number[], b: [] as number[] };
    const a = client(s, { listeners: { onRestart: (seq) => restarts.a.push(seq) } });
    const b = client(s, { listeners: { onRestart: (seq) => restarts.b.push(seq) } });
    await idle(a);
    await idle(b);
    const terminal = s.registry.get(ref);
    a.stream.input('echo first-pid-$$\r');
    await a.waitFor((t) => /first-pid-\d+/.test(t), 5_000, 'the first pid');
    const firstPid = /first-pid-(\d+)/.exec(a.text())?.[1];
    a.stream.input('exit\r');
    await a.waitForText('[shell exited — press Enter to start a new one]');
    await b.waitForText('[shell exited — press Enter to start a new one]');
    await until(() => a.exit !== undefined && b.exit !== undefined, 5_000, 'the exit on both tabs');
    b.stream.input('echo ignored'); // keys other than Enter are dropped while no shell runs
    const exitedAt = terminal?.endSeq ?? -1;
    // Both tabs press Enter at once: one shell starts, and both hear of it at the same offset.
    a.stream.input('\r');
    b.stream.input('\r');
    await until(() => restarts.a.length > 0 && restarts.b.length > 0, 5_000, 'the restart on both tabs');
    await idle(a);
    a.stream.input('echo second-pid-$$\r');
    await b.waitFor((t) => /second-pid-\d+/.test(t), 5_000, 'the second pid on the other tab');
    await idle(a);
    await idle(b);
    expect(restarts).toEqual({ a: [exitedAt], b: [exitedAt] });
    expect(s.registry.get(ref)).toBe(terminal);
    expect(/second-pid-(\d+)/.exec(b.text())?.[1]).not.toBe(firstPid);
    expect(a.stream.exit).toBeUndefined();
    expect(b.stream.exit).toBeUndefined();
    expect(a.text()).not.toContain('echo ignored');
    expect(a.stream.seq).toBe(terminal?.endSeq);
    expect(b.stream.seq).toBe(terminal?.endSeq);
    expect(a.lines()).toEqual(b.lines());
    // A tab opened now replays both shells, notice included, onto the same screen.
    const late = client(s);
    await idle(late);
    expect(late.lines()).toEqual(a.lines());
    expect(late.text()).toContain('first-pid-');
  });

  it('runs a command pressed after the shell exited in the new shell, once', async () => {
    const s = await setup();
    const a = client(s);
    await idle(a);
    a.stream.input('exit\r');
    await until(() => a.exit !== undefined, 5_000, 'the exit');
    a.stream.run('echo ran-after-$((40+2))');
    await a.waitForText('ran-after-42');
    await idle(a);
    expect(a.stream.exit).toBeUndefined();
    expect(a.lines().filter((l) => l === 'ran-after-42')).toHaveLength(1);
  });

  it('refuses a restart from a socket that is not attached, and from a session that no longer launches the terminal', async () => {
    let launchable = true;
    const s = await setup({ launch: (r) => (launchable ? bashLauncher(r) : undefined) });
    const a = client(s);
    await idle(a);
    a.stream.input('exit\r');
    await until(() => a.exit !== undefined, 5_000, 'the exit');
    const stranger = client(s, {}, { sessionId: 's1', terminalId: 'other' });
    await idle(stranger);
    stranger.socket.emit('terminal:restart', ref);
    expect((await stranger.errorWith('TERMINAL_NOT_ATTACHED')).event).toBe('terminal:restart');
    launchable = false;
    a.stream.input('\r');
    expect(await a.errorWith('TERMINAL_NOT_FOUND')).toMatchObject({ event: 'terminal:restart', message: expect.stringContaining('start the lab again') });
    expect(s.registry.get(ref)?.exit).toEqual({ exitCode: 0 });
  });

  it('rejects malformed and oversized messages, counts them, and the terminal keeps working', async () => {
    const s = await setup();
    const a = client(s);
    await idle(a);
    const bad: Array<[string, unknown]> = [
      ['terminal:input', { ...ref }],
      ['terminal:input', { ...ref, data: 'x'.repeat(70_000) }],
      ['terminal:input', 'echo hi'],
      ['terminal:resize', { ...ref, cols: 80, rows: 0 }],
      ['terminal:resize', { ...ref, cols: 5000, rows: 24 }],
      ['terminal:attach', { sessionId: '../etc', terminalId: 'shell', cols: 80, rows: 24 }],
      ['terminal:ack', { ...ref, seq: 1e12 }],
    ];
    for (const [event, payload] of bad) {
      const error = a.nextError();
      a.socket.emit(event as 'terminal:input', payload as never);
      expect((await error).code).toBe('TERMINAL_BAD_MESSAGE');
    }
    expect(s.handlers.rejectedCount()).toBe(bad.length);
    a.stream.input('echo still-$((1+1))\r');
    await a.waitForText('still-2');
    expect(a.socket.connected).toBe(true);
  });

  it('refuses unknown terminals, unauthorised sessions and input without attaching', async () => {
    const s = await setup({ launch: (r) => (r.terminalId === 'shell' ? bashLauncher(r) : undefined) });
    const unknown = client(s, {}, { sessionId: 's1', terminalId: 'nope' });
    expect((await unknown.nextError()).code).toBe('TERMINAL_NOT_FOUND');
    const forged = client(s, { token: 'bad' });
    expect((await forged.nextError()).code).toBe('TERMINAL_FORBIDDEN');
    expect(s.registry.get(ref)).toBeUndefined();
    const error = forged.nextError();
    forged.socket.emit('terminal:input', { ...ref, data: 'touch /tmp/should-not-exist\r' });
    expect((await error).code).toBe('TERMINAL_NOT_ATTACHED');
  });

  it('leaves no child processes behind after disposing every terminal', async () => {
    const s = await setup();
    const a = client(s);
    await idle(a);
    a.stream.input('sleep 300 & sleep 301\r');
    const pid = s.registry.get(ref)?.pid ?? 0;
    await until(() => childrenOf(pid).length === 2, 5_000, 'two sleeps under bash');
    const children = childrenOf(pid);
    await s.registry.disposeAll();
    for (const child of [pid, ...children]) expect(isRunning(child), `process ${child}`).toBe(false);
  });
});

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

// A zombie waiting for a reaper no longer runs anything.
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

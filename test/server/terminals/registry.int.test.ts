// The registry with real ptys: sharing by key, idle time, and ending one session's terminals only.
import { afterEach, describe, expect, it } from 'vitest';
import { TerminalError, TerminalRegistry } from '../../../server/terminals/index.js';
import type { TerminalClient } from '../../../server/terminals/index.js';
import { bashLauncher, until } from './terminal-test-server.js';

let registry: TerminalRegistry | undefined;
afterEach(async () => {
  await registry?.disposeAll();
  registry = undefined;
});

/** A client that keeps what it is told, acknowledging nothing. */
function recorder(): TerminalClient & { text: () => string; exited: boolean } {
  const chunks: Uint8Array[] = [];
  const client = {
    exited: false,
    attached: () => {},
    output: (_seq: number, data: Uint8Array) => chunks.push(data.slice()),
    size: () => {},
    exit: () => (client.exited = true),
    restarted: () => {},
    stalled: () => {},
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
  return client;
}

describe('TerminalRegistry', () => {
  it('returns the same terminal for the same session and terminal id, and a new one for another id', () => {
    registry = new TerminalRegistry({ launch: bashLauncher });
    const a = registry.open({ sessionId: 's1', terminalId: '1' });
    expect(registry.open({ sessionId: 's1', terminalId: '1' })).toBe(a);
    expect(registry.open({ sessionId: 's1', terminalId: '2' })).not.toBe(a);
    expect(registry.list('s1')).toHaveLength(2);
    expect(registry.list('s2')).toHaveLength(0);
  });

  it('reports the latest input across a session’s terminals for idle reaping', () => {
    let now = 1_000;
    registry = new TerminalRegistry({ launch: bashLauncher, terminal: { now: () => now } });
    const one = registry.open({ sessionId: 's1', terminalId: '1' }).attach(recorder(), { size: { cols: 80, rows: 24 } });
    registry.open({ sessionId: 's1', terminalId: '2' });
    expect(registry.lastInputAt('s1')).toBe(1_000);
    now = 5_000;
    one.input('true\r');
    expect(registry.lastInputAt('s1')).toBe(5_000);
    expect(registry.lastInputAt('nobody')).toBeUndefined();
  });

  it('ends one session’s terminals and leaves the others running', async () => {
    registry = new TerminalRegistry({ launch: bashLauncher });
    const mine = registry.open({ sessionId: 's1', terminalId: '1' });
    const theirs = registry.open({ sessionId: 's2', terminalId: '1' });
    const watcher = recorder();
    mine.attach(watcher, { size: { cols: 80, rows: 24 } });
    await registry.disposeSession('s1');
    expect(mine.exit).toBeDefined();
    expect(watcher.exited).toBe(true);
    expect(registry.get({ sessionId: 's1', terminalId: '1' })).toBeUndefined();
    expect(theirs.exit).toBeUndefined();
    const viewer = recorder();
    theirs.attach(viewer, { size: { cols: 80, rows: 24 } }).input('echo alive-$((2+2))\r');
    await until(() => viewer.text().includes('alive-4'), 5_000, 'the other session to answer');
  });

  it('says which terminal is unknown, and refuses new terminals after shutdown', async () => {
    registry = new TerminalRegistry({ launch: (ref) => (ref.terminalId === '1' ? bashLauncher(ref) : undefined) });
    expect(() => registry?.open({ sessionId: 's1', terminalId: '9' })).toThrow(expect.objectContaining({ code: 'TERMINAL_NOT_FOUND', message: expect.stringContaining("no terminal '9'") }));
    await registry.disposeAll();
    expect(() => registry?.open({ sessionId: 's1', terminalId: '1' })).toThrow(TerminalError);
  });

  it('shows a program that cannot be executed as output and an exit code of 1', async () => {
    registry = new TerminalRegistry({ launch: () => ({ file: '/nonexistent/kubelab-shell', args: ['-l'], env: {}, cwd: '/' }) });
    const terminal = registry.open({ sessionId: 's1', terminalId: '1' });
    const viewer = recorder();
    terminal.attach(viewer, { size: { cols: 80, rows: 24 } });
    await until(() => viewer.exited, 5_000, 'the exit');
    expect(terminal.exit).toEqual({ exitCode: 1 });
    expect(viewer.text()).toContain('No such file or directory');
  });
});

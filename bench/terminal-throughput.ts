// `tsx bench/terminal-throughput.ts [--megabytes 50] [--keystrokes 300] [--interrupts 20] [--flood-megabytes 50]`: what the terminal stack
// costs. Throughput of `head -c NM /dev/urandom | base64` through pty → socket.io (binary) →
// client acknowledging, as a ratio to reading the same pty directly with node-pty in the same
// run; once with a client that acknowledges on arrival (the stack alone) and once through a
// headless xterm.js (what a browser adds by parsing). Each is measured twice: with the server in
// its own process (the headline figures, as in production) and sharing this process's event loop
// (`sharedProcess`, a lower bound). Keystroke echo latency (p50/p99) of `cat`
// in a pty, directly and through the stack; the difference is what the stack adds. Then Ctrl-C
// during `yes` and the bytes buffered per session under a flood (bench/terminal-interrupt.ts).
// Writes docs/figures/terminal.json.
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pty from '@lydell/node-pty';
import headless from '@xterm/headless';
import { io as connect } from 'socket.io-client';
import { TerminalStream } from '../client/terminal/terminal-stream.js';
import type { TerminalClientSocket, TerminalSink } from '../client/terminal/terminal-stream.js';
import type { TerminalLaunch, TerminalLauncher } from '../server/terminals/index.js';
import { startTerminalServer } from '../test/server/terminals/terminal-test-server.js';
import { writeFigures } from './figures.js';
import { interruptBench } from './terminal-interrupt.js';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };

function flood(megabytes: number): TerminalLaunch {
  return { file: 'bash', args: ['-c', `head -c ${megabytes}M /dev/urandom | base64`], env, cwd: '/' };
}
const echo: TerminalLaunch = { file: 'cat', args: [], env, cwd: '/' };

/** Bench suite for bench/run.ts: returns the figures. */
export async function terminalThroughputBench(args: string[]): Promise<Record<string, unknown>> {
  const megabytes = Number(option(args, '--megabytes') ?? 50);
  const keystrokes = Number(option(args, '--keystrokes') ?? 300);
  const interrupts = Number(option(args, '--interrupts') ?? 20);
  const floodMegabytes = Number(option(args, '--flood-megabytes') ?? 50);

  const mb = (bytes: number, ms: number): number => round(bytes / 1e6 / (ms / 1000));
  const ackOnArrival = (): TerminalSink => ({ write: (_data, callback) => callback?.() });
  const xterm = (): TerminalSink => new headless.Terminal({ cols: 120, rows: 40, scrollback: 1000, allowProposedApi: true });

  // The stack in one process (client and server share an event loop: a lower bound) and with the
  // server in its own process, as in production. Raw is measured before each.
  const shared = await startTerminalServer({ launch: terminalBenchLauncher(megabytes), authorize: () => true });
  let together: { raw: { bytes: number; ms: number }; acking: Measured; parsing: Measured; rawEcho: Percentiles; stackEcho: Percentiles };
  try {
    const stats = async (id: string) => shared.registry.get({ sessionId: 'bench', terminalId: id })?.stats().pauses ?? 0;
    const raw = await rawThroughput(megabytes);
    const acking = await stackThroughput(shared.url, 'flood-ack', ackOnArrival, stats);
    const parsing = await stackThroughput(shared.url, 'flood-xterm', xterm, stats);
    together = { raw, acking, parsing, rawEcho: await rawEchoLatency(keystrokes), stackEcho: await stackEchoLatency(shared.url, keystrokes) };
  } finally {
    await shared.close();
  }
  const child = await forkServer(megabytes);
  let apart: typeof together;
  try {
    const raw = await rawThroughput(megabytes);
    const acking = await stackThroughput(child.url, 'flood-ack', ackOnArrival, child.pauses);
    const parsing = await stackThroughput(child.url, 'flood-xterm', xterm, child.pauses);
    apart = { raw, acking, parsing, rawEcho: await rawEchoLatency(keystrokes), stackEcho: await stackEchoLatency(child.url, keystrokes) };
  } finally {
    await child.close();
  }
  const interrupt = await interruptBench({ interrupts, floodMegabytes });
  const figures = (m: typeof together) => ({
    throughputMBps: { rawNodePty: mb(m.raw.bytes, m.raw.ms), stackAckOnArrival: mb(m.acking.bytes, m.acking.ms), stackHeadlessXterm: mb(m.parsing.bytes, m.parsing.ms) },
    ratioToRaw: { stackAckOnArrival: round(m.raw.ms / m.acking.ms), stackHeadlessXterm: round(m.raw.ms / m.parsing.ms) },
    flowControlPauses: { stackAckOnArrival: m.acking.pauses, stackHeadlessXterm: m.parsing.pauses },
    echoLatencyMs: { keystrokes, raw: m.rawEcho, stack: m.stackEcho, addedP50: round(m.stackEcho.p50 - m.rawEcho.p50), addedP99: round(m.stackEcho.p99 - m.rawEcho.p99) },
  });
  return writeFigures('terminal', {
    command: `npm run bench -- terminal --megabytes ${megabytes} --keystrokes ${keystrokes} --interrupts ${interrupts} --flood-megabytes ${floodMegabytes}`,
    flood: `head -c ${megabytes}M /dev/urandom | base64`,
    outputBytes: apart.raw.bytes,
    // Headline figures: server in its own process (bench/terminal-server-child.ts).
    ...figures(apart),
    sharedProcess: figures(together),
    ctrlC: interrupt.ctrlC,
    bufferedUnderFlood: interrupt.flood,
  });
}

/** Launches of the bench server: `flood*` terminals print NM of base64, `echo` runs cat. */
export function terminalBenchLauncher(megabytes: number): TerminalLauncher {
  return (ref) => (ref.terminalId.startsWith('flood') ? flood(megabytes) : ref.terminalId === 'echo' ? echo : undefined);
}

/** The bench's terminal server as a child process (tsx), with its flow-control pauses over IPC. */
async function forkServer(megabytes: number): Promise<{ url: string; pauses(terminalId: string): Promise<number>; close(): Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./terminal-server-child.ts', import.meta.url)), [String(megabytes)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T>(): Promise<T> =>
    new Promise((resolve, reject) => {
      child.once('message', (m) => resolve(m as T));
      child.once('exit', (code) => reject(new Error(`the bench terminal server exited (${code}) before answering`)));
    });
  const { url } = await next<{ url: string }>();
  return {
    url,
    pauses: async (terminalId) => {
      const answer = next<{ pauses: number }>();
      child.send({ stats: terminalId });
      return (await answer).pauses;
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ close: true });
      await exited;
    },
  };
}

interface Measured {
  bytes: number;
  ms: number;
  pauses: number;
}

function rawThroughput(megabytes: number): Promise<{ bytes: number; ms: number }> {
  return new Promise((resolve) => {
    const launch = flood(megabytes);
    const started = performance.now();
    let bytes = 0;
    const p = pty.spawn(launch.file, [...launch.args], { cols: 120, rows: 40, cwd: launch.cwd, env: launch.env, encoding: null });
    p.onData((chunk) => (bytes += (chunk as unknown as Uint8Array).byteLength));
    p.onExit(() => resolve({ bytes, ms: performance.now() - started }));
  });
}

async function stackThroughput(url: string, terminalId: string, makeSink: () => TerminalSink, pausesOf: (terminalId: string) => Promise<number>): Promise<Measured> {
  const socket: TerminalClientSocket = connect(url, { transports: ['websocket'], forceNew: true });
  await new Promise((resolve) => socket.once('connect', () => resolve(undefined)));
  const sink = makeSink();
  const started = performance.now();
  const stream = await new Promise<TerminalStream>((resolve) => {
    const s: TerminalStream = new TerminalStream(socket, { sessionId: 'bench', terminalId }, sink, { cols: 120, rows: 40 }, { onExit: () => resolve(s) });
  });
  const ms = performance.now() - started;
  stream.dispose();
  socket.disconnect();
  if ('dispose' in sink && typeof sink.dispose === 'function') (sink as { dispose(): void }).dispose();
  return { bytes: stream.seq, ms, pauses: await pausesOf(terminalId) };
}

async function rawEchoLatency(keystrokes: number): Promise<Percentiles> {
  const p = pty.spawn(echo.file, [...echo.args], { cols: 80, rows: 24, cwd: echo.cwd, env: echo.env, encoding: null });
  const echoes = new EchoCounter();
  p.onData((chunk) => echoes.received((chunk as unknown as Uint8Array).byteLength));
  await new Promise((r) => setTimeout(r, 200));
  const samples = await echoes.measure(keystrokes, () => p.write('x'));
  p.kill();
  return samples;
}

async function stackEchoLatency(url: string, keystrokes: number): Promise<Percentiles> {
  const socket: TerminalClientSocket = connect(url, { transports: ['websocket'], forceNew: true });
  const echoes = new EchoCounter();
  const attached = new Promise<void>((resolve) => socket.once('terminal:attached', () => resolve()));
  const sink: TerminalSink = {
    write: (data, callback) => {
      echoes.received(typeof data === 'string' ? data.length : data.byteLength);
      callback?.();
    },
  };
  const stream = new TerminalStream(socket, { sessionId: 'bench', terminalId: 'echo' }, sink, { cols: 80, rows: 24 });
  await attached;
  await new Promise((r) => setTimeout(r, 200));
  const samples = await echoes.measure(keystrokes, () => stream.input('x'));
  stream.dispose();
  socket.disconnect();
  return samples;
}

// Times one keystroke at a time from sending to its one-byte echo, after 20 unrecorded warm-ups.
class EchoCounter {
  private bytes = 0;
  private waiting: { until: number; resolve: () => void } | undefined;

  received(n: number): void {
    this.bytes += n;
    if (this.waiting && this.bytes >= this.waiting.until) this.waiting.resolve();
  }

  async measure(keystrokes: number, press: () => void): Promise<Percentiles> {
    const samples: number[] = [];
    for (let i = 0; i < keystrokes + 20; i++) {
      const echoed = new Promise<void>((resolve) => (this.waiting = { until: this.bytes + 1, resolve }));
      const t = performance.now();
      press();
      await echoed;
      if (i >= 20) samples.push(performance.now() - t);
    }
    return percentiles(samples);
  }
}

interface Percentiles {
  p50: number;
  p99: number;
}

function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN);
  return { p50: at(0.5), p99: at(0.99) };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await terminalThroughputBench(process.argv.slice(2)), null, 2));
}

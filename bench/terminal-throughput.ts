// `tsx bench/terminal-throughput.ts [--megabytes 50] [--keystrokes 300] [--interrupts 20] [--flood-megabytes 50]`: what the terminal stack
// costs. Throughput of `head -c NM /dev/urandom | base64` through pty → socket.io (binary) →
// client acknowledging, as a ratio to reading the same pty directly with node-pty in the same
// run; once with a client that acknowledges on arrival (the stack alone) and once through a
// headless xterm.js (what a browser adds by parsing). Keystroke echo latency (p50/p99) of `cat`
// in a pty, directly and through the stack; the difference is what the stack adds. Then Ctrl-C
// during `yes` and the bytes buffered per session under a flood (bench/terminal-interrupt.ts).
// Writes docs/figures/terminal.json.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pty from '@lydell/node-pty';
import headless from '@xterm/headless';
import { io as connect } from 'socket.io-client';
import { TerminalStream } from '../client/terminal/terminal-stream.js';
import type { TerminalClientSocket, TerminalSink } from '../client/terminal/terminal-stream.js';
import type { TerminalLaunch, TerminalRegistry } from '../server/terminals/index.js';
import { startTerminalServer } from '../test/server/terminals/terminal-test-server.js';
import { writeFigures } from './figures.js';
import { interruptBench } from './terminal-interrupt.js';
import type { TestServer } from '../test/server/terminals/terminal-test-server.js';

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

  const stack = await startStack(megabytes);
  try {
    const raw = await rawThroughput(megabytes);
    const acking = await stackThroughput(stack, 'flood-ack', () => ({ write: (_data, callback) => callback?.() }));
    const parsing = await stackThroughput(stack, 'flood-xterm', () => new headless.Terminal({ cols: 120, rows: 40, scrollback: 1000, allowProposedApi: true }));
    const rawEcho = await rawEchoLatency(keystrokes);
    const stackEcho = await stackEchoLatency(stack.url, keystrokes);
    const mb = (bytes: number, ms: number): number => round(bytes / 1e6 / (ms / 1000));
    const interrupt = await interruptBench({ interrupts, floodMegabytes });
    return writeFigures('terminal', {
      command: `npm run bench -- terminal --megabytes ${megabytes} --keystrokes ${keystrokes} --interrupts ${interrupts} --flood-megabytes ${floodMegabytes}`,
      flood: `head -c ${megabytes}M /dev/urandom | base64`,
      outputBytes: raw.bytes,
      throughputMBps: { rawNodePty: mb(raw.bytes, raw.ms), stackAckOnArrival: mb(acking.bytes, acking.ms), stackHeadlessXterm: mb(parsing.bytes, parsing.ms) },
      ratioToRaw: { stackAckOnArrival: round(raw.ms / acking.ms), stackHeadlessXterm: round(raw.ms / parsing.ms) },
      flowControlPauses: { stackAckOnArrival: acking.pauses, stackHeadlessXterm: parsing.pauses },
      echoLatencyMs: {
        keystrokes,
        raw: rawEcho,
        stack: stackEcho,
        addedP50: round(stackEcho.p50 - rawEcho.p50),
        addedP99: round(stackEcho.p99 - rawEcho.p99),
      },
      ctrlC: interrupt.ctrlC,
      bufferedUnderFlood: interrupt.flood,
    });
  } finally {
    await stack.close();
  }
}

async function startStack(megabytes: number): Promise<TestServer> {
  return startTerminalServer({
    launch: (ref) => (ref.terminalId.startsWith('flood') ? flood(megabytes) : ref.terminalId === 'echo' ? echo : undefined),
    authorize: () => true,
  });
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

async function stackThroughput(stack: { url: string; registry: TerminalRegistry }, terminalId: string, makeSink: () => TerminalSink): Promise<{ bytes: number; ms: number; pauses: number }> {
  const socket: TerminalClientSocket = connect(stack.url, { transports: ['websocket'], forceNew: true });
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
  const pauses = stack.registry.get({ sessionId: 'bench', terminalId })?.stats().pauses ?? 0;
  return { bytes: stream.seq, ms, pauses };
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

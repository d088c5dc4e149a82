// Part of the terminal suite: what an attendee feels when a command floods the terminal. Through
// the whole stack a browser uses (real bash in a pty → server terminal with flow control →
// socket.io → the browser's TerminalStream → a headless xterm.js that parses and acknowledges):
//   - Ctrl-C during `yes`: ms from the keystroke leaving the client until the prompt is back on
//     the client's screen (median, p95 over --interrupts runs);
//   - bytes buffered per session under a flood: the largest gap, sampled every 2 ms, between the
//     terminal's output offset on the server and what the client's xterm has parsed (everything in
//     pty → socket buffers → network → parser), next to the fixed replay ring per terminal.
import { performance } from 'node:perf_hooks';
import { DEFAULT_FLOW_SETTINGS } from '../server/terminals/flow-control.js';
import { DEFAULT_REPLAY_BYTES } from '../server/terminals/terminal.js';
import { HeadlessClient, PROMPT, startTerminalServer, until } from '../test/server/terminals/terminal-test-server.js';
import { percentile } from './start-to-prompt.js';
import { median } from './clusters.js';

const ref = { sessionId: 's-bench', terminalId: 'shell' };
const round = (n: number) => Math.round(n * 10) / 10;

export interface InterruptFigures {
  ctrlC: { runs: number; medianMs: number; p95Ms: number; maxMs: number; samplesMs: number[] };
  flood: { seconds: number; bytes: number; peakBufferedBytes: number; highWatermark: number; replayBytesPerTerminal: number; pauses: number };
}

export async function interruptBench(options: { interrupts: number; floodMegabytes: number }): Promise<InterruptFigures> {
  const server = await startTerminalServer();
  const client = new HeadlessClient(server.url, ref, { cols: 120, rows: 40 });
  const idle = () => client.waitFor((t) => t.split('\n').at(-1) === PROMPT.trimEnd(), 20_000, 'an idle prompt');
  try {
    await idle();
    // Ctrl-C while `yes` floods: from the keystroke to the prompt on the client's screen.
    const samples: number[] = [];
    for (let i = 0; i < options.interrupts; i++) {
      client.stream.input('clear\r');
      await idle();
      client.stream.input('yes kubelab-flood\r');
      const from = client.stream.seq;
      await until(() => client.stream.seq - from > 256 * 1024, 20_000, 'a quarter megabyte of yes');
      const t0 = performance.now();
      client.stream.input('\x03');
      await idle();
      samples.push(performance.now() - t0);
    }
    // A flood for a while: the largest amount between the pty and the parsed screen.
    client.stream.input('clear\r');
    await idle();
    const terminal = server.registry.get(ref);
    const startSeq = terminal?.endSeq ?? 0;
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, (terminal?.endSeq ?? 0) - client.stream.renderedSeq);
    }, 2);
    const t0 = performance.now();
    client.stream.input(`yes kubelab-flood | head -c ${options.floodMegabytes}M; echo FLOOD-$((6*7))\r`);
    await client.waitForText('FLOOD-42', 600_000);
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    return {
      ctrlC: { runs: samples.length, medianMs: round(median(samples)), p95Ms: round(percentile(samples, 95)), maxMs: round(Math.max(...samples)), samplesMs: samples.map(round) },
      flood: {
        seconds: round(seconds),
        bytes: (terminal?.endSeq ?? 0) - startSeq,
        peakBufferedBytes: peak,
        highWatermark: DEFAULT_FLOW_SETTINGS.highWatermark,
        replayBytesPerTerminal: DEFAULT_REPLAY_BYTES,
        pauses: terminal?.stats().pauses ?? 0,
      },
    };
  } finally {
    client.close();
    await server.close();
  }
}

// Fault: the connection drops and comes back while a command is printing. Through the whole app
// (createApp's /terminal namespace with session tokens, the browser's TerminalStream, reconnection
// on), the transport is cut repeatedly from both ends mid-output: every byte arrives once, in
// order, and the attendee's screen shows each line exactly once. (The terminal-layer test in
// test/server/terminals compares screens after one clean client disconnect; this one counts bytes
// across many abrupt transport losses.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TerminalStream } from '../../client/terminal/terminal-stream.js';
import type { TerminalAttachedMessage } from '../../protocol/terminal.js';
import { type FakeLabApp, PROMPT, connected, startFakeLabApp } from '../support/fake-lab-app.js';

const LINES = 40_000;

async function until(what: string, predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('fault: the socket drops and returns mid-output', () => {
  let f: FakeLabApp;
  beforeAll(async () => {
    f = await startFakeLabApp();
  });
  afterAll(async () => f?.close());

  it('loses and doubles nothing across repeated transport losses from either end', async () => {
    const { ready } = await f.startLab();
    const socket = f.socket('/terminal', { token: ready.sessionToken, reconnection: true });
    expect(await connected(socket)).toEqual({ ok: true });
    const chunks: Uint8Array[] = [];
    let received = 0;
    const decoder = new TextDecoder();
    const text = () => decoder.decode(Buffer.concat(chunks));
    const sink = {
      write(data: Uint8Array | string, callback?: () => void) {
        const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
        chunks.push(bytes);
        received += bytes.byteLength;
        callback?.();
      },
    };
    const attaches: TerminalAttachedMessage[] = [];
    socket.on('terminal:attached', (m: TerminalAttachedMessage) => attaches.push(m));
    const stream = new TerminalStream(socket, { sessionId: ready.sessionId, terminalId: '1' }, sink, { cols: 120, rows: 40 });
    await until('the prompt', () => text().includes(PROMPT));

    stream.input(`for i in $(seq 1 ${LINES}); do printf 'line %06d\\n' $i; (( i % 400 )) || sleep 0.03; done; echo DONE-$((6*7))\r`);
    let drops = 0;
    const started = received;
    while (!text().includes('DONE-42')) {
      await new Promise((r) => setTimeout(r, 250));
      if (received - started < 20_000 || !socket.connected || drops >= 12) continue;
      // Alternate: the browser's transport dies, then the server's end of it.
      if (drops % 2 === 0) socket.io.engine.close();
      else [...f.app.io.of('/terminal').sockets.values()].forEach((s) => s.conn.close());
      drops++;
      await until('the reconnection', () => socket.connected, 10_000);
    }
    await until('every re-attach', () => attaches.length === drops + 1 && socket.connected, 10_000);
    await until('the final prompt', () => text().trimEnd().endsWith(PROMPT.trimEnd()), 10_000);

    const lines = [...text().matchAll(/line \d{6}(?=\r\n)/g)].map((m) => m[0]);
    expect(drops).toBeGreaterThanOrEqual(3);
    expect(lines).toHaveLength(LINES);
    expect(lines.every((l, i) => l === `line ${String(i + 1).padStart(6, '0')}`)).toBe(true);
    // Each re-attach resumed where the client was, with no gap: the replay covered every drop.
    expect(attaches.slice(1).every((a) => a.gap === undefined && a.startSeq > 0)).toBe(true);
    expect(received).toBe(stream.seq);
    stream.dispose();
  });
});

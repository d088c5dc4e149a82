// The terminal server of the throughput bench in a process of its own, as in production, where the
// server and the attendee's browser do not share an event loop (let alone a machine). Forked by
// bench/terminal-throughput.ts with IPC: it sends `{ url }` once listening, answers
// `{ stats: terminalId }` with `{ pauses }`, and closes on `{ close: true }`.
import { startTerminalServer } from '../test/server/terminals/terminal-test-server.js';
import { terminalBenchLauncher } from './terminal-throughput.js';

const megabytes = Number(process.argv[2] ?? 50);
const server = await startTerminalServer({ launch: terminalBenchLauncher(megabytes), authorize: () => true });
process.on('message', (message: { stats?: string; close?: boolean }) => {
  if (message.stats !== undefined) process.send?.({ pauses: server.registry.get({ sessionId: 'bench', terminalId: message.stats })?.stats().pauses ?? 0 });
  if (message.close) void server.close().finally(() => process.exit(0));
});
process.send?.({ url: server.url });

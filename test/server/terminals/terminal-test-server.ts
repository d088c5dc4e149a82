// A real express + socket.io server on a random port with the terminal handlers, and a real
// socket.io client whose screen is an @xterm/headless terminal driven by the browser's own
// TerminalStream. Shared by the integration tests and the throughput bench.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import headless from '@xterm/headless';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { TerminalStream } from '../../../client/terminal/terminal-stream.js';
import type { TerminalClientSocket, TerminalSink, TerminalStreamListeners } from '../../../client/terminal/terminal-stream.js';
import type { TerminalErrorMessage, TerminalExitInfo, TerminalRef } from '../../../protocol/terminal.js';
import { TERMINAL_MAX_HTTP_BUFFER_SIZE, TerminalRegistry, attachTerminalHandlers } from '../../../server/terminals/index.js';
import type { AuthorizeTerminalSession, TerminalHandlers, TerminalLauncher, TerminalOptions, TerminalServer } from '../../../server/terminals/index.js';

const { Terminal: HeadlessTerminal } = headless;
type Headless = InstanceType<typeof HeadlessTerminal>;

/** The prompt of the test shell, distinct enough to find on a screen. */
export const PROMPT = 'kubelab$ ';

/** A plain interactive bash on the host: no rc files, a known prompt. */
export const bashLauncher: TerminalLauncher = () => ({
  file: 'bash',
  args: ['--norc', '--noprofile', '-i'],
  cwd: process.cwd(),
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', LANG: 'C.UTF-8', PS1: PROMPT },
});

/** Accepts sockets whose handshake auth carries `token: 'good'`. */
export const tokenAuthorize: AuthorizeTerminalSession = (socket, sessionId) => {
  const auth = socket.handshake.auth as { token?: unknown };
  return auth.token === 'good' && sessionId.startsWith('s');
};

export interface TestServer {
  url: string;
  registry: TerminalRegistry;
  handlers: TerminalHandlers;
  io: TerminalServer;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 and a random port. */
export async function startTerminalServer(
  options: { launch?: TerminalLauncher; authorize?: AuthorizeTerminalSession; terminal?: TerminalOptions } = {},
): Promise<TestServer> {
  const app = express();
  const http = createServer(app);
  const io: TerminalServer = new Server(http, { maxHttpBufferSize: TERMINAL_MAX_HTTP_BUFFER_SIZE });
  const registry = new TerminalRegistry({ launch: options.launch ?? bashLauncher, ...(options.terminal && { terminal: options.terminal }) });
  const handlers = attachTerminalHandlers(io, registry, options.authorize ?? tokenAuthorize);
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    registry,
    handlers,
    io,
    close: async () => {
      handlers.dispose();
      await registry.disposeAll();
      await io.close();
    },
  };
}

/** A browser stand-in: socket, headless screen, the client's stream, and what it was told. */
export class HeadlessClient {
  readonly screen: Headless;
  readonly socket: TerminalClientSocket;
  readonly stream: TerminalStream;
  readonly errors: TerminalErrorMessage[] = [];
  exit: TerminalExitInfo | undefined;

  constructor(
    url: string,
    ref: TerminalRef,
    options: { cols?: number; rows?: number; token?: string; sink?: (screen: Headless) => TerminalSink; listeners?: TerminalStreamListeners } = {},
  ) {
    const cols = options.cols ?? 80;
    const rows = options.rows ?? 24;
    this.screen = new HeadlessTerminal({ cols, rows, scrollback: 10_000, allowProposedApi: true });
    this.socket = connect(url, { auth: { token: options.token ?? 'good' }, transports: ['websocket'], forceNew: true });
    const sink = options.sink ? options.sink(this.screen) : this.screen;
    this.stream = new TerminalStream(this.socket, ref, sink, { cols, rows }, {
      ...options.listeners,
      onExit: (info) => {
        this.exit = info;
        options.listeners?.onExit?.(info);
      },
    });
    // Every error this socket receives, including those about payloads that named no terminal.
    this.socket.on('terminal:error', (error) => this.errors.push(error));
  }

  /** Every line of the buffer (scrollback and screen), right-trimmed, trailing blanks dropped. */
  lines(): string[] {
    const buffer = this.screen.buffer.active;
    const out: string[] = [];
    for (let i = 0; i < buffer.length; i++) out.push((buffer.getLine(i)?.translateToString(true) ?? '').trimEnd());
    while (out.length > 0 && out[out.length - 1] === '') out.pop();
    return out;
  }

  text(): string {
    return this.lines().join('\n');
  }

  /** Resolves once everything written to the screen has been parsed. */
  flushed(): Promise<void> {
    return new Promise((resolve) => this.screen.write('', resolve));
  }

  /** Polls the screen until `predicate` holds; rejects with the screen's text after `timeoutMs`. */
  async waitFor(predicate: (text: string) => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.flushed();
      if (predicate(this.text())) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; screen:\n${this.lines().slice(-15).join('\n')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Waits until `text` appears on the screen. */
  waitForText(text: string, timeoutMs?: number): Promise<void> {
    return this.waitFor((t) => t.includes(text), timeoutMs, JSON.stringify(text));
  }

  /** Waits until this client has received an error with `code`. */
  async errorWith(code: TerminalErrorMessage['code']): Promise<TerminalErrorMessage> {
    await until(() => this.errors.some((e) => e.code === code), 5_000, `a ${code} error`);
    return this.errors.find((e) => e.code === code) as TerminalErrorMessage;
  }

  /** Waits for the next terminal:error this client receives. */
  nextError(): Promise<TerminalErrorMessage> {
    const seen = this.errors.length;
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = (): void => {
        const error = this.errors[seen];
        if (error) resolve(error);
        else if (Date.now() - started > 5_000) reject(new Error('no terminal:error within 5 s'));
        else setTimeout(poll, 5);
      };
      poll();
    });
  }

  close(): void {
    this.stream.dispose();
    this.socket.disconnect();
    this.screen.dispose();
  }
}

/** Resolves when `predicate` holds, polling every 10 ms; rejects after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

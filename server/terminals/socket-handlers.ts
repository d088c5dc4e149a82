// Connects browsers to terminals over socket.io. The session layer injects `authorize`, which
// reads the token from the handshake `auth` (never the URL). Every payload is validated before it
// can reach a pty; a bad one is answered with terminal:error, counted, and otherwise ignored, so a
// buggy or hostile tab cannot harm the terminal or the other viewers.
import type { Namespace, Server, Socket } from 'socket.io';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from '../../protocol/index.js';
import type { TerminalErrorCode, TerminalErrorMessage, TerminalRef } from '../../protocol/terminal.js';
import { TerminalError } from './errors.js';
import { parseTerminalPayload } from './payloads.js';
import type { TerminalPayloads } from './payloads.js';
import type { TerminalRegistry } from './registry.js';
import type { TerminalAttachment, TerminalClient } from './terminal.js';

/** The app's typed socket.io server and its sockets. */
export type TerminalServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type TerminalNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type TerminalSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Whether this socket may use this session's terminals; supplied by the session layer. */
export type AuthorizeTerminalSession = (socket: TerminalSocket, sessionId: string) => boolean | Promise<boolean>;

/** A payload that was rejected, for logs. */
export interface RejectedMessage {
  socketId: string;
  event: string;
  code: TerminalErrorCode;
  reason: string;
}

/** The installed handlers: counters, and dispose() to remove them and detach every socket. */
export interface TerminalHandlers {
  /** Client messages refused so far (malformed, oversized, unauthorised, unknown terminal). */
  rejectedCount(): number;
  dispose(): void;
}

/**
 * Socket.io's `maxHttpBufferSize` for a server carrying terminals: a little above the largest
 * valid message (64 KiB of input, which JSON may escape), so that larger frames are refused by
 * the transport before they are parsed (socket.io then drops that socket; the terminal lives on).
 */
export const TERMINAL_MAX_HTTP_BUFFER_SIZE = 512 * 1024;

/** Installs the terminal events on every socket of `io` (a server or a namespace). */
export function attachTerminalHandlers(
  io: TerminalServer | TerminalNamespace,
  registry: TerminalRegistry,
  authorize: AuthorizeTerminalSession,
  options: { onRejected?: (rejected: RejectedMessage) => void } = {},
): TerminalHandlers {
  let rejected = 0;
  const connections = new Map<TerminalSocket, () => void>();

  const onConnection = (socket: TerminalSocket): void => {
    const attachments = new Map<string, TerminalAttachment>();
    const keyOf = (ref: TerminalRef): string => `${ref.sessionId}/${ref.terminalId}`;

    const fail = (event: TerminalErrorMessage['event'], code: TerminalErrorCode, message: string, ref?: Partial<TerminalRef>): void => {
      rejected++;
      options.onRejected?.({ socketId: socket.id, event, code, reason: message });
      socket.emit('terminal:error', {
        code,
        message,
        event,
        ...(typeof ref?.sessionId === 'string' && { sessionId: ref.sessionId }),
        ...(typeof ref?.terminalId === 'string' && { terminalId: ref.terminalId }),
      });
    };

    // Parses the payload, or reports it; only well-formed payloads reach the handler.
    const on = <E extends keyof TerminalPayloads>(event: E, handle: (payload: TerminalPayloads[E]) => void | Promise<void>): void => {
      const listener = (payload: unknown): void => {
        const parsed = parseTerminalPayload(event, payload);
        if (!parsed.ok) return fail(event, 'TERMINAL_BAD_MESSAGE', parsed.reason, isRecord(payload) ? (payload as Partial<TerminalRef>) : undefined);
        void Promise.resolve(handle(parsed.value)).catch((error: unknown) => fail(event, 'TERMINAL_START_FAILED', `internal error: ${String(error)}`, parsed.value));
      };
      socket.on(event, listener as never);
    };

    // Input, resize, ack and detach need an attachment made by this socket.
    const attached = (event: TerminalErrorMessage['event'], ref: TerminalRef): TerminalAttachment | undefined => {
      const attachment = attachments.get(keyOf(ref));
      if (!attachment) fail(event, 'TERMINAL_NOT_ATTACHED', `this socket is not attached to terminal ${ref.terminalId} of session ${ref.sessionId}; send terminal:attach first`, ref);
      return attachment;
    };

    on('terminal:attach', async (request) => {
      const ref: TerminalRef = { sessionId: request.sessionId, terminalId: request.terminalId };
      let allowed: boolean;
      try {
        allowed = await authorize(socket, ref.sessionId);
      } catch (error) {
        allowed = false;
        options.onRejected?.({ socketId: socket.id, event: 'terminal:attach', code: 'TERMINAL_FORBIDDEN', reason: `authorize threw: ${String(error)}` });
      }
      if (!socket.connected || !connections.has(socket)) return;
      if (!allowed) return fail('terminal:attach', 'TERMINAL_FORBIDDEN', `this connection may not use session ${ref.sessionId}; sign in again to get a fresh token`, ref);
      let terminal;
      try {
        terminal = registry.open(ref);
      } catch (error) {
        if (error instanceof TerminalError) return fail('terminal:attach', error.code, error.message, ref);
        throw error;
      }
      socket.data.terminalSessionIds = [...new Set([...(socket.data.terminalSessionIds ?? []), ref.sessionId])];
      attachments.get(keyOf(ref))?.dispose();
      const attachment = terminal.attach(clientFor(socket, ref, () => attachments.delete(keyOf(ref))), {
        size: { cols: request.cols, rows: request.rows },
        ...(request.fromSeq !== undefined && { fromSeq: request.fromSeq }),
      });
      attachments.set(keyOf(ref), attachment);
    });

    on('terminal:detach', (ref) => {
      const attachment = attached('terminal:detach', ref);
      attachment?.dispose();
      attachments.delete(keyOf(ref));
    });

    on('terminal:input', (message) => attached('terminal:input', message)?.input(message.data));

    on('terminal:resize', (message) => attached('terminal:resize', message)?.resize({ cols: message.cols, rows: message.rows }));

    on('terminal:ack', (message) => {
      const attachment = attached('terminal:ack', message);
      if (attachment && !attachment.ack(message.seq)) fail('terminal:ack', 'TERMINAL_BAD_MESSAGE', `ack of offset ${message.seq} is beyond the output sent to this client; ack only offsets you have received`, message);
    });

    // Any attached tab may start a new shell after an exit; the others see it start.
    on('terminal:restart', (ref) => {
      if (!attached('terminal:restart', ref)) return;
      try {
        registry.restart(ref);
      } catch (error) {
        if (error instanceof TerminalError) return fail('terminal:restart', error.code, error.message, ref);
        throw error;
      }
    });

    const detachAll = (): void => {
      for (const attachment of attachments.values()) attachment.dispose();
      attachments.clear();
      connections.delete(socket);
    };
    socket.on('disconnect', detachAll);
    connections.set(socket, () => {
      detachAll();
      socket.removeAllListeners();
    });
  };

  const namespace: TerminalNamespace = 'of' in io ? io.sockets : io;
  namespace.on('connection', onConnection);
  return {
    rejectedCount: () => rejected,
    dispose: () => {
      namespace.off('connection', onConnection);
      for (const cleanup of [...connections.values()]) cleanup();
    },
  };
}

// Translates a terminal's calls into this socket's events for one terminal (also the classroom's shadow view).
export function clientFor(socket: TerminalSocket, ref: TerminalRef, onStalled: () => void): TerminalClient {
  const { sessionId, terminalId } = ref;
  return {
    attached: (info) => socket.emit('terminal:attached', { sessionId, terminalId, ...info.size, startSeq: info.startSeq, endSeq: info.endSeq, ...(info.gap && { gap: info.gap }), ...(info.exit && { exit: info.exit }) }),
    output: (seq, data) => socket.emit('terminal:output', { sessionId, terminalId, seq, data }),
    size: (size) => socket.emit('terminal:size', { sessionId, terminalId, ...size }),
    exit: (info) => socket.emit('terminal:exit', { sessionId, terminalId, ...info }),
    restarted: (seq) => socket.emit('terminal:restarted', { sessionId, terminalId, seq }),
    stalled: () => {
      onStalled();
      socket.emit('terminal:error', {
        code: 'TERMINAL_CLIENT_STALLED',
        message: 'this tab stopped acknowledging output and was detached so the terminal could continue; re-attach from your last offset',
        event: 'server',
        sessionId,
        terminalId,
      });
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

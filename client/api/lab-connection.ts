// The page's two sockets: the lab namespace (authenticated with the visitor's socket token) and,
// once a session is ready, the terminal namespace (authenticated with the session token). Both
// requests and answers are typed by protocol/; `request` turns an acknowledgement into a promise.
import { io, type Socket } from 'socket.io-client';
import type { Ack, LabClientToServerEvents, LabServerToClientEvents } from '../../protocol/lab.js';
import type { TerminalClientSocket } from '../terminal/index.js';

/** The /lab namespace (protocol/lab.ts LAB_NAMESPACE; imported as a type only, so spelled here). */
const LAB_PATH = '/lab';
const TERMINAL_PATH = '/terminal';

/** A typed socket on the lab namespace. */
export type LabSocket = Socket<LabServerToClientEvents, LabClientToServerEvents>;

/** A lab request the server refused, with its code (STEP_LOCKED, HOST_NOT_READY, …). */
export class LabRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'LabRequestError';
  }
}

/** Starting a cluster can take minutes; other requests answer within seconds. */
const START_TIMEOUT_MS = 15 * 60_000;
const REQUEST_TIMEOUT_MS = 120_000;

type Payload<E extends keyof LabClientToServerEvents> = Parameters<LabClientToServerEvents[E]>[0];
type Reply<E extends keyof LabClientToServerEvents> = Parameters<Parameters<LabClientToServerEvents[E]>[1]>[0];
type Success<R> = Extract<R, { ok: true }>;

/** Opens the lab socket for a visitor; socket.io reconnects it by itself. */
export function connectLab(socketToken: string): LabSocket {
  return io(LAB_PATH, { auth: { token: socketToken }, transports: ['websocket', 'polling'] });
}

/** Opens the terminal socket that every tab of a session shares. */
export function connectTerminals(sessionToken: string): TerminalClientSocket {
  return io(TERMINAL_PATH, { auth: { token: sessionToken }, transports: ['websocket', 'polling'] });
}

/** Sends a lab request and resolves with the acknowledged result, or rejects with LabRequestError. */
export async function request<E extends keyof LabClientToServerEvents>(socket: LabSocket, event: E, payload: Payload<E>): Promise<Success<Reply<E>>> {
  const timeout = event === 'lab:start' ? START_TIMEOUT_MS : REQUEST_TIMEOUT_MS;
  let reply: Reply<E>;
  try {
    const timed = socket.timeout(timeout) as unknown as { emitWithAck(event: E, payload: Payload<E>): Promise<Reply<E>> };
    reply = await timed.emitWithAck(event, payload);
  } catch {
    throw new LabRequestError('NO_ANSWER', 'the server did not answer in time; check your connection and try again');
  }
  const ack = reply as Ack<object>;
  if (!ack.ok) throw new LabRequestError(ack.error.code, ack.error.message);
  return ack as Success<Reply<E>>;
}

// Every client→server terminal payload is parsed here before it can reach a pty: a browser is
// untrusted input. The limits are the protocol's (protocol/terminal.ts), checked by the compiler.
import { z } from 'zod';
import type {
  TerminalAckMessage,
  TerminalAttachRequest,
  TerminalClientToServerEvents,
  TerminalInputMessage,
  TerminalLimits,
  TerminalRef,
  TerminalResizeMessage,
} from '../../protocol/terminal.js';

/** The server's limits; `satisfies` keeps them equal to the protocol's. */
export const TERMINAL_LIMITS = {
  maxRows: 500,
  maxCols: 1000,
  maxInputBytes: 65536,
  maxIdLength: 64,
} as const satisfies TerminalLimits;

const id = z.string().regex(/^[A-Za-z0-9_-]+$/, 'ids are letters, digits, _ and -').min(1).max(TERMINAL_LIMITS.maxIdLength);
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const cols = z.number().int().min(1).max(TERMINAL_LIMITS.maxCols);
const rows = z.number().int().min(1).max(TERMINAL_LIMITS.maxRows);
const ref = { sessionId: id, terminalId: id };

// Byte length without Node's Buffer: a UTF-16 code unit is at most 3 UTF-8 bytes, so only long
// strings need the exact count.
const encoder = new TextEncoder();
const inputData = z
  .string()
  .refine((s) => s.length * 3 <= TERMINAL_LIMITS.maxInputBytes || encoder.encode(s).byteLength <= TERMINAL_LIMITS.maxInputBytes, {
    message: `input is longer than ${TERMINAL_LIMITS.maxInputBytes} bytes; send it in several messages`,
  });

/** Schemas of every client→server terminal event, keyed by event name. */
export const terminalPayloadSchemas = {
  'terminal:attach': z.strictObject({ ...ref, fromSeq: seq.optional(), cols, rows }),
  'terminal:detach': z.strictObject(ref),
  'terminal:input': z.strictObject({ ...ref, data: inputData }),
  'terminal:resize': z.strictObject({ ...ref, cols, rows }),
  'terminal:ack': z.strictObject({ ...ref, seq }),
  'terminal:restart': z.strictObject(ref),
} satisfies Record<keyof TerminalClientToServerEvents, z.ZodType>;

/** Payload type of each event, as parsed. */
export interface TerminalPayloads {
  'terminal:attach': TerminalAttachRequest;
  'terminal:detach': TerminalRef;
  'terminal:input': TerminalInputMessage;
  'terminal:resize': TerminalResizeMessage;
  'terminal:ack': TerminalAckMessage;
  'terminal:restart': TerminalRef;
}

/** Outcome of parsing one payload: the typed message, or a one-line reason to send back. */
export type ParsedPayload<E extends keyof TerminalPayloads> = { ok: true; value: TerminalPayloads[E] } | { ok: false; reason: string };

/** Parses the payload of `event`; never throws. */
export function parseTerminalPayload<E extends keyof TerminalPayloads>(event: E, payload: unknown): ParsedPayload<E> {
  const result = terminalPayloadSchemas[event].safeParse(payload);
  if (result.success) return { ok: true, value: stripUndefined(result.data) as TerminalPayloads[E] };
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { ok: false, reason: `${event} payload rejected: ${where}${issue?.message ?? 'invalid'}` };
}

// zod leaves `fromSeq: undefined` out only if absent; exactOptionalPropertyTypes wants it gone.
function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

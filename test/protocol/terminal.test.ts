// The wire contract and the server's schemas must agree: every message a client written against
// protocol/ can send is accepted, and the schemas' parsed types are exactly the protocol's.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { ClientToServerEvents, ServerToClientEvents, TerminalLimits } from '../../protocol/index.js';
import { TERMINAL_LIMITS, parseTerminalPayload, terminalPayloadSchemas } from '../../server/terminals/payloads.js';

type PayloadOf<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];
type Parsed<E extends keyof typeof terminalPayloadSchemas> = z.infer<(typeof terminalPayloadSchemas)[E]>;

describe('terminal protocol', () => {
  it('has a schema for every client event and no schema for events that do not exist', () => {
    const events: Array<keyof ClientToServerEvents> = ['terminal:attach', 'terminal:detach', 'terminal:input', 'terminal:resize', 'terminal:ack', 'terminal:restart'];
    expect(Object.keys(terminalPayloadSchemas).sort()).toEqual([...events].sort());
    expectTypeOf<keyof typeof terminalPayloadSchemas>().toEqualTypeOf<keyof ClientToServerEvents>();
  });

  it('parses each schema to the payload type the protocol declares', () => {
    expectTypeOf<Parsed<'terminal:input'>>().toEqualTypeOf<PayloadOf<'terminal:input'>>();
    expectTypeOf<Parsed<'terminal:resize'>>().toEqualTypeOf<PayloadOf<'terminal:resize'>>();
    expectTypeOf<Parsed<'terminal:ack'>>().toEqualTypeOf<PayloadOf<'terminal:ack'>>();
    expectTypeOf<Parsed<'terminal:detach'>>().toEqualTypeOf<PayloadOf<'terminal:detach'>>();
    expectTypeOf<Parsed<'terminal:restart'>>().toEqualTypeOf<PayloadOf<'terminal:restart'>>();
    expectTypeOf<Required<Parsed<'terminal:attach'>>>().toEqualTypeOf<Required<PayloadOf<'terminal:attach'>>>();
    expect(TERMINAL_LIMITS).toEqual({ maxRows: 500, maxCols: 1000, maxInputBytes: 65536, maxIdLength: 64 } satisfies TerminalLimits);
  });

  it('accepts every message a typed client sends at the limits of the protocol', () => {
    const ref = { sessionId: 'a'.repeat(64), terminalId: 'Z_9-' };
    const messages: { [E in keyof ClientToServerEvents]: PayloadOf<E> } = {
      'terminal:attach': { ...ref, cols: 1000, rows: 500, fromSeq: Number.MAX_SAFE_INTEGER },
      'terminal:detach': ref,
      'terminal:input': { ...ref, data: '€'.repeat(65536 / 3) },
      'terminal:resize': { ...ref, cols: 1, rows: 1 },
      'terminal:ack': { ...ref, seq: 0 },
      'terminal:restart': ref,
    };
    for (const [event, payload] of Object.entries(messages)) {
      expect(parseTerminalPayload(event as keyof ClientToServerEvents, payload), event).toMatchObject({ ok: true, value: payload });
    }
  });

  it('declares output as binary, never as a string', () => {
    type Output = Parameters<ServerToClientEvents['terminal:output']>[0]['data'];
    expectTypeOf<Output>().toEqualTypeOf<Uint8Array | ArrayBuffer>();
    expectTypeOf<string>().not.toMatchTypeOf<Output>();
  });
});

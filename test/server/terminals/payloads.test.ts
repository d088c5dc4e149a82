import { describe, expect, it } from 'vitest';
import { parseTerminalPayload } from '../../../server/terminals/payloads.js';

const ref = { sessionId: 's-1', terminalId: 'shell_2' };

describe('parseTerminalPayload', () => {
  it.each([
    { event: 'terminal:attach', payload: { ...ref, cols: 80, rows: 24 } },
    { event: 'terminal:attach', payload: { ...ref, cols: 1000, rows: 500, fromSeq: 123_456 } },
    { event: 'terminal:attach', payload: { ...ref, cols: 1, rows: 1, fromSeq: 0 } },
    { event: 'terminal:input', payload: { ...ref, data: 'ls -l\r' } },
    { event: 'terminal:input', payload: { ...ref, data: 'x'.repeat(65_536) } },
    { event: 'terminal:input', payload: { ...ref, data: '' } },
    { event: 'terminal:resize', payload: { ...ref, cols: 132, rows: 43 } },
    { event: 'terminal:ack', payload: { ...ref, seq: 8192 } },
    { event: 'terminal:detach', payload: ref },
  ] as const)('accepts a well-formed $event', ({ event, payload }) => {
    expect(parseTerminalPayload(event, payload)).toEqual({ ok: true, value: payload });
  });

  it.each([
    { name: 'zero rows', event: 'terminal:resize', payload: { ...ref, cols: 80, rows: 0 }, reason: 'rows' },
    { name: 'more than 500 rows', event: 'terminal:resize', payload: { ...ref, cols: 80, rows: 501 }, reason: 'rows' },
    { name: 'more than 1000 columns', event: 'terminal:attach', payload: { ...ref, cols: 1001, rows: 24 }, reason: 'cols' },
    { name: 'fractional columns', event: 'terminal:resize', payload: { ...ref, cols: 80.5, rows: 24 }, reason: 'cols' },
    { name: 'a size given as strings', event: 'terminal:resize', payload: { ...ref, cols: '80', rows: '24' }, reason: 'cols' },
    { name: 'input over 64 KiB', event: 'terminal:input', payload: { ...ref, data: 'x'.repeat(65_537) }, reason: 'longer than 65536 bytes' },
    { name: 'input under 64 KiB of characters but over in UTF-8 bytes', event: 'terminal:input', payload: { ...ref, data: 'é'.repeat(40_000) }, reason: 'longer than 65536 bytes' },
    { name: 'input that is not a string', event: 'terminal:input', payload: { ...ref, data: [1, 2] }, reason: 'data' },
    { name: 'a session id with a path in it', event: 'terminal:attach', payload: { ...ref, sessionId: '../etc', cols: 80, rows: 24 }, reason: 'sessionId' },
    { name: 'an empty terminal id', event: 'terminal:detach', payload: { ...ref, terminalId: '' }, reason: 'terminalId' },
    { name: 'an id longer than 64 characters', event: 'terminal:detach', payload: { ...ref, terminalId: 'a'.repeat(65) }, reason: 'terminalId' },
    { name: 'a negative offset', event: 'terminal:attach', payload: { ...ref, cols: 80, rows: 24, fromSeq: -1 }, reason: 'fromSeq' },
    { name: 'an ack offset that is not a number', event: 'terminal:ack', payload: { ...ref, seq: 'all' }, reason: 'seq' },
    { name: 'an unknown field', event: 'terminal:input', payload: { ...ref, data: 'x', shell: '/bin/sh' }, reason: 'shell' },
    { name: 'a bare string', event: 'terminal:input', payload: 'rm -rf /', reason: 'terminal:input payload rejected' },
    { name: 'nothing at all', event: 'terminal:ack', payload: undefined, reason: 'terminal:ack payload rejected' },
  ] as const)('rejects $name, naming what is wrong', ({ event, payload, reason }) => {
    const result = parseTerminalPayload(event, payload);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});

import { describe, expect, it } from 'vitest';
import { FlowLedger, decideFlow } from '../../../server/terminals/flow-control.js';
import type { ClientFlow, FlowDecision } from '../../../server/terminals/flow-control.js';

const settings = { highWatermark: 100, lowWatermark: 10, stallTimeoutMs: 1_000 };
const c = (id: string, unacked: number, progressAt = 0): ClientFlow => ({ id, unacked, progressAt });

// Each row: clients, whether the pty is paused now, the time → the decision.
const cases: Array<{ name: string; clients: ClientFlow[]; paused: boolean; now: number; expected: FlowDecision }> = [
  { name: 'no clients: output flows', clients: [], paused: false, now: 0, expected: { paused: false, stalled: [] } },
  { name: 'no clients while paused: resume (nobody to wait for)', clients: [], paused: true, now: 0, expected: { paused: false, stalled: [] } },
  { name: 'at the high watermark exactly: keep flowing', clients: [c('a', 100)], paused: false, now: 0, expected: { paused: false, stalled: [] } },
  { name: 'one client above high: pause', clients: [c('a', 101, 5)], paused: false, now: 50, expected: { paused: true, stalled: [], recheckAt: 1_005 } },
  { name: 'any client above high pauses for all', clients: [c('a', 0), c('b', 500, 7)], paused: false, now: 50, expected: { paused: true, stalled: [], recheckAt: 1_007 } },
  { name: 'paused, between the watermarks: stay paused (hysteresis)', clients: [c('a', 50, 20)], paused: true, now: 100, expected: { paused: true, stalled: [], recheckAt: 1_020 } },
  { name: 'paused, at the low watermark: resume', clients: [c('a', 10)], paused: true, now: 100, expected: { paused: false, stalled: [] } },
  { name: 'paused, one client caught up and one not: stay paused', clients: [c('a', 0), c('b', 11, 40)], paused: true, now: 100, expected: { paused: true, stalled: [], recheckAt: 1_040 } },
  { name: 'paused, a client silent for the stall timeout is detached and the rest resume', clients: [c('a', 0), c('b', 300, 0)], paused: true, now: 1_000, expected: { paused: false, stalled: ['b'] } },
  { name: 'paused, silent just under the stall timeout: keep waiting', clients: [c('b', 300, 1)], paused: true, now: 1_000, expected: { paused: true, stalled: [], recheckAt: 1_001 } },
  { name: 'not paused, a long-silent client above high is paused for first, not detached', clients: [c('b', 300, 0)], paused: false, now: 5_000, expected: { paused: true, stalled: [], recheckAt: 1_000 } },
  { name: 'stalled clients are detached while another still holds the pause', clients: [c('a', 50, 900), c('b', 300, 0)], paused: true, now: 1_200, expected: { paused: true, stalled: ['b'], recheckAt: 1_900 } },
];

describe('decideFlow', () => {
  it.each(cases)('$name', ({ clients, paused, now, expected }) => {
    expect(decideFlow(clients, paused, now, settings)).toEqual(expected);
  });
});

describe('FlowLedger', () => {
  it('counts bytes sent after a client joined as unacknowledged until it acknowledges them', () => {
    const ledger = new FlowLedger();
    ledger.add('a', 1_000, 0);
    ledger.sentAll(1_300, 5);
    expect(ledger.snapshot()).toEqual([{ id: 'a', unacked: 300, progressAt: 5 }]);
    expect(ledger.ack('a', 1_200, 9)).toBe('advanced');
    expect(ledger.snapshot()).toEqual([{ id: 'a', unacked: 100, progressAt: 9 }]);
  });

  it('ignores stale acknowledgements and refuses ones beyond what was sent', () => {
    const ledger = new FlowLedger();
    ledger.add('a', 0, 0);
    ledger.sentAll(100, 0);
    expect(ledger.ack('a', 60, 1)).toBe('advanced');
    expect(ledger.ack('a', 50, 2)).toBe('stale');
    expect(ledger.ack('a', 101, 3)).toBe('beyond-sent');
    expect(ledger.ack('b', 10, 3)).toBe('unknown-client');
    expect(ledger.snapshot()).toEqual([{ id: 'a', unacked: 40, progressAt: 1 }]);
  });

  it('starts the stall clock when a caught-up client is sent something new, not when it last acked', () => {
    const ledger = new FlowLedger();
    ledger.add('a', 0, 0);
    ledger.sentAll(10, 100);
    ledger.ack('a', 10, 200);
    ledger.sentAll(20, 5_000);
    ledger.sentAll(30, 6_000);
    expect(ledger.snapshot()).toEqual([{ id: 'a', unacked: 20, progressAt: 5_000 }]);
  });

  it('sends a replay to one client only', () => {
    const ledger = new FlowLedger();
    ledger.add('a', 0, 0);
    ledger.add('b', 40, 0);
    ledger.sent('b', 100, 1);
    expect(ledger.snapshot()).toEqual([
      { id: 'a', unacked: 0, progressAt: 0 },
      { id: 'b', unacked: 60, progressAt: 1 },
    ]);
    ledger.remove('b');
    expect(ledger.snapshot().map((x) => x.id)).toEqual(['a']);
  });
});

import { describe, expect, it } from 'vitest';
import { ReplayBuffer } from '../../../server/terminals/replay-buffer.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

// Each row: capacity, chunks appended, fromSeq asked → what comes back.
const cases: Array<{ name: string; capacity: number; chunks: string[]; fromSeq?: number; startSeq: number; replay: string; gap?: unknown }> = [
  { name: 'an empty buffer replays nothing from offset 0', capacity: 8, chunks: [], fromSeq: 0, startSeq: 0, replay: '' },
  { name: 'a fresh client gets everything held', capacity: 8, chunks: ['abc', 'de'], startSeq: 0, replay: 'abcde' },
  { name: 'a client resumes exactly after the bytes it saw', capacity: 8, chunks: ['abc', 'de'], fromSeq: 3, startSeq: 3, replay: 'de' },
  { name: 'a client resumes in the middle of a chunk', capacity: 8, chunks: ['abcdef'], fromSeq: 4, startSeq: 4, replay: 'ef' },
  { name: 'a client that saw everything gets nothing', capacity: 8, chunks: ['abc'], fromSeq: 3, startSeq: 3, replay: '' },
  { name: 'writes that wrap the ring come back in order', capacity: 8, chunks: ['abcdef', 'ghij'], fromSeq: 2, startSeq: 2, replay: 'cdefghij' },
  { name: 'after one oversized chunk the oldest byte held is still exact', capacity: 8, chunks: ['abcdefghij'], fromSeq: 2, startSeq: 2, replay: 'cdefghij' },
  { name: 'a client older than the buffer gets all of it and the count it missed', capacity: 8, chunks: ['abcdef', 'ghij'], fromSeq: 0, startSeq: 2, replay: 'cdefghij', gap: { kind: 'truncated', skippedBytes: 2 } },
  { name: 'a fresh client of a long stream learns that the start was dropped', capacity: 4, chunks: ['abcdefgh'], startSeq: 4, replay: 'efgh', gap: { kind: 'truncated', skippedBytes: 4 } },
  { name: 'a chunk larger than the ring keeps only its tail', capacity: 4, chunks: ['ab', 'cdefghij'], fromSeq: 6, startSeq: 6, replay: 'ghij' },
  { name: 'an offset beyond the end replays everything as a different stream', capacity: 8, chunks: ['abc'], fromSeq: 10, startSeq: 0, replay: 'abc', gap: { kind: 'unknown-offset' } },
  { name: 'many small writes around the ring several times', capacity: 5, chunks: ['ab', 'cd', 'ef', 'gh', 'ij', 'kl', 'm'], fromSeq: 9, startSeq: 9, replay: 'jklm' },
];

describe('ReplayBuffer', () => {
  it.each(cases)('$name', ({ capacity, chunks, fromSeq, startSeq, replay, gap }) => {
    const buffer = new ReplayBuffer(capacity);
    for (const chunk of chunks) buffer.append(bytes(chunk));
    const result = buffer.since(fromSeq);
    expect(result.startSeq).toBe(startSeq);
    expect(text(result.bytes)).toBe(replay);
    expect(result.gap).toEqual(gap);
    expect(buffer.endSeq).toBe(chunks.join('').length);
  });

  it('replays a long random stream exactly from every offset it still holds', () => {
    const capacity = 97;
    const buffer = new ReplayBuffer(capacity);
    const all: number[] = [];
    let state = 12345;
    for (let i = 0; i < 200; i++) {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      const chunk = Uint8Array.from({ length: state % 40 }, (_, j) => (state + j) % 256);
      buffer.append(chunk);
      all.push(...chunk);
      const from = Math.max(0, all.length - (state % (capacity + 1)));
      expect(Array.from(buffer.since(from).bytes)).toEqual(all.slice(from));
    }
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new ReplayBuffer(0)).toThrow(RangeError);
    expect(() => new ReplayBuffer(1.5)).toThrow(/positive integer/);
  });
});

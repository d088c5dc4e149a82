// Keeps the tail of a terminal's output, numbered by byte offset, so that a client that lost its
// socket (or a second browser tab) can be brought up to date without losing or repeating bytes.
// Pure: no I/O, no timers.
import type { TerminalReplayGap } from '../../protocol/terminal.js';

/** What a client attaching at some offset must be sent. */
export interface Replay {
  /** Offset of the first byte of `bytes`. */
  startSeq: number;
  bytes: Uint8Array;
  /** Absent when `bytes` continue exactly at the requested offset. */
  gap?: TerminalReplayGap;
}

/** The last `capacity` bytes of a stream in a ring, addressed by absolute offset. */
export class ReplayBuffer {
  private readonly ring: Uint8Array;
  private end = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`replay capacity must be a positive integer, got ${capacity}`);
    this.ring = new Uint8Array(capacity);
  }

  /** Offset one past the last byte ever appended. */
  get endSeq(): number {
    return this.end;
  }

  /** Offset of the oldest byte still held. */
  get startSeq(): number {
    return Math.max(0, this.end - this.capacity);
  }

  append(chunk: Uint8Array): void {
    const kept = chunk.byteLength > this.capacity ? chunk.subarray(chunk.byteLength - this.capacity) : chunk;
    const skipped = chunk.byteLength - kept.byteLength;
    const at = (this.end + skipped) % this.capacity;
    const first = Math.min(kept.byteLength, this.capacity - at);
    this.ring.set(kept.subarray(0, first), at);
    this.ring.set(kept.subarray(first), 0);
    this.end += chunk.byteLength;
  }

  /**
   * The bytes after `fromSeq` (default: everything held). When they are no longer all held, or
   * `fromSeq` is beyond the end, the whole buffer comes back with a gap saying why.
   */
  since(fromSeq = 0): Replay {
    const start = this.startSeq;
    if (fromSeq > this.end) return { startSeq: start, bytes: this.copy(start), gap: { kind: 'unknown-offset' } };
    if (fromSeq < start) return { startSeq: start, bytes: this.copy(start), gap: { kind: 'truncated', skippedBytes: start - fromSeq } };
    return { startSeq: fromSeq, bytes: this.copy(fromSeq) };
  }

  private copy(from: number): Uint8Array {
    const length = this.end - from;
    const out = new Uint8Array(length);
    const at = from % this.capacity;
    const first = Math.min(length, this.capacity - at);
    out.set(this.ring.subarray(at, at + first), 0);
    out.set(this.ring.subarray(0, length - first), first);
    return out;
  }
}

// A fixed-window limiter per key (an IP address) that counts failures: a room full of attendees
// behind one NAT address joins freely, while guessing join codes or the instructor token stops
// after a few wrong tries. Windows are kept only for keys seen recently, so memory stays bounded.

/** Allows `limit` failures per key per `windowMs`; after that, every attempt waits out the window. */
export class FailureLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until `key` may try again; 0 when it may now. */
  retryAfter(key: string): number {
    const window = this.windows.get(key);
    const now = this.now();
    if (!window || now - window.start >= this.windowMs) return 0;
    return window.count >= this.limit ? window.start + this.windowMs - now : 0;
  }

  /** Counts a failed attempt. */
  fail(key: string): void {
    const now = this.now();
    if (this.windows.size > 10_000) for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
    const window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) this.windows.set(key, { start: now, count: 1 });
    else window.count++;
  }

  /** Forgets a key (after a success). */
  reset(key: string): void {
    this.windows.delete(key);
  }
}

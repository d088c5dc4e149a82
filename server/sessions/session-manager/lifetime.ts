// When a session ends, pure: a hard lifetime (extendable by the attendee once the warning shows)
// and an idle limit reset by any activity. The manager asks decideLifetime() on every sweep.
//
// WARN_BEFORE_MS is how early the page offers "extend": long enough to notice mid-command,
// short enough that extending always follows a real warning. SWEEP_INTERVAL_MS bounds how late
// an end or a warning can be; it is well under WARN_BEFORE_MS, so no warning is ever skipped.

/** How long before the end the attendee is warned and may extend. */
export const WARN_BEFORE_MS = 5 * 60_000;
/** How often sessions are swept for warnings and ends. */
export const SWEEP_INTERVAL_MS = 15_000;

/** The clock facts of one session. */
export interface SessionClock {
  expiresAt: number;
  lastActivityAt: number;
  /** The warning already sent, so it is sent once per deadline. */
  warnedFor?: number | undefined;
}

/** What a sweep does with one session. */
export type LifetimeDecision =
  | { action: 'keep' }
  | { action: 'warn'; deadline: number; reason: 'expired' | 'idle' }
  | { action: 'end'; reason: 'expired' | 'idle' };

/** The moment a session ends if nothing happens: the earlier of its lifetime and its idle limit. */
export function sessionDeadline(clock: SessionClock, idleMs: number): { at: number; reason: 'expired' | 'idle' } {
  const idleAt = clock.lastActivityAt + idleMs;
  return idleAt < clock.expiresAt ? { at: idleAt, reason: 'idle' } : { at: clock.expiresAt, reason: 'expired' };
}

/** Keep, warn (once per deadline) or end a session. */
export function decideLifetime(clock: SessionClock, now: number, idleMs: number): LifetimeDecision {
  const deadline = sessionDeadline(clock, idleMs);
  if (now >= deadline.at) return { action: 'end', reason: deadline.reason };
  if (deadline.at - now <= WARN_BEFORE_MS && clock.warnedFor !== deadline.at) return { action: 'warn', deadline: deadline.at, reason: deadline.reason };
  return { action: 'keep' };
}

/** A new end time when the attendee extends, or undefined when it is too early (no warning yet). */
export function extendedExpiry(clock: SessionClock, now: number, sessionMs: number): number | undefined {
  if (clock.expiresAt - now > WARN_BEFORE_MS) return undefined;
  return Math.max(clock.expiresAt, now + sessionMs);
}

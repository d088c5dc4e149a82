// How many labs this machine runs at once, pure. Every kind cluster costs memory (an idle one
// ~475 MiB, docs/benchmarks.md; ~600 MiB with a lab's pods), so the operator sets a number of
// seats, and a start beyond it is refused before anything is created. Warm pool clusters use
// memory too, so they count: the pool only fills seats nobody is using, and a start that needs a
// cold cluster while the pool holds the last free slot makes the pool give it up.

/** Memory one lab's cluster and toolbox are planned with. */
export const MIB_PER_SEAT = 600;

/** The default seat count: what the free memory holds at MIB_PER_SEAT each, at least one. */
export function defaultMaxSessions(freeMemoryBytes: number): number {
  return Math.max(1, Math.floor(freeMemoryBytes / (MIB_PER_SEAT * 2 ** 20)));
}

/** Why a start is refused, or undefined when a seat is free. `inUse` counts running and starting sessions. */
export function seatRefusal(max: number, inUse: number): string | undefined {
  if (inUse < max) return undefined;
  return `all ${max} seat${max === 1 ? ' is' : 's are'} in use; try again in a few minutes or ask the instructor`;
}

/** How many warm clusters the pool may hold besides `inUse` sessions (never below zero, never above its size). */
export function poolCapacity(max: number, inUse: number, poolSize: number): number {
  return Math.max(0, Math.min(poolSize, max - inUse));
}

/**
 * What a start that found no warm cluster does before creating its own: its session is already
 * counted in `inUse`, and the pool's clusters (ready or being created) hold the rest.
 */
export function coldStartRoom(state: { max: number; inUse: number; poolReady: number; poolCreating: number }): 'create' | 'evict-warm' | 'wait-for-pool' {
  if (state.inUse + state.poolReady + state.poolCreating <= state.max) return 'create';
  return state.poolReady > 0 ? 'evict-warm' : 'wait-for-pool';
}

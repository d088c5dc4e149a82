// A warm pool of ready clusters, so that starting a lab takes seconds instead of the ~20 s a
// kind cluster needs. Clusters are created in the background, one or two at a time (each
// creation keeps a core busy), and handed out whole: a pooled cluster belongs to one session.
import type { ClusterInfo, ClusterProgress, ClusterProvider, ClusterSpec } from '../clusters/provider.js';

/** Pure: how many creations to start now, given what is ready and what is under way. */
export function clustersToStart(state: { target: number; ready: number; creating: number; maxConcurrent: number; backoffUntil: number; now: number }): number {
  if (state.now < state.backoffUntil) return 0;
  const missing = state.target - state.ready - state.creating;
  const slots = state.maxConcurrent - state.creating;
  return Math.max(0, Math.min(missing, slots));
}

/** After a failed creation: wait this long before trying again, doubling up to a ceiling. */
export function nextBackoff(failuresInARow: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, failuresInARow - 1), 5 * 60_000);
}

export interface PoolOptions {
  provider: ClusterProvider;
  /** How many ready clusters to keep. */
  size: number;
  /** How many the pool may hold right now, when seats are limited (see session-manager/seats.ts). */
  capacity?: () => number;
  /** Spec of a pooled cluster, for a fresh name. */
  spec: (name: string) => ClusterSpec;
  /** Fresh, unique cluster names (kind limits them to DNS labels). */
  newName: () => string;
  maxConcurrent?: number;
  onError?: (error: unknown) => void;
  now?: () => number;
}

export interface PoolStatus {
  target: number;
  ready: number;
  creating: number;
  lastError?: string;
}

export class WarmPool {
  private readonly ready: ClusterInfo[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failures = 0;
  private backoffUntil = 0;
  private lastError: string | undefined;
  private disposed = false;
  private timer: NodeJS.Timeout | undefined;
  /** Ready clusters to keep; starts at options.size, resize() moves it (a classroom's pre-warm). */
  private target: number;

  constructor(private readonly options: PoolOptions) {
    this.target = options.size;
  }

  status(): PoolStatus {
    return { target: this.target, ready: this.ready.length, creating: this.inFlight.size, ...(this.lastError !== undefined && { lastError: this.lastError }) };
  }

  /** Starts as many creations as the pool is short, within the concurrency limit. */
  fill(): void {
    if (this.disposed) return;
    const now = (this.options.now ?? Date.now)();
    const n = clustersToStart({
      target: Math.min(this.target, this.options.capacity?.() ?? Infinity),
      ready: this.ready.length,
      creating: this.inFlight.size,
      maxConcurrent: this.options.maxConcurrent ?? 1,
      backoffUntil: this.backoffUntil,
      now,
    });
    for (let i = 0; i < n; i++) this.startOne();
    if (n === 0 && now < this.backoffUntil && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.fill();
      }, this.backoffUntil - now);
    }
  }

  private startOne(): void {
    const name = this.options.newName();
    const job = this.options.provider
      .create(this.options.spec(name))
      .then(
        async (info) => {
          this.failures = 0;
          this.lastError = undefined;
          if (this.disposed) await this.options.provider.delete(info.name).catch(() => undefined);
          else this.ready.push(info);
        },
        (error: unknown) => {
          this.failures++;
          this.backoffUntil = (this.options.now ?? Date.now)() + nextBackoff(this.failures);
          this.lastError = error instanceof Error ? error.message.split('\n')[0] : String(error);
          this.options.onError?.(error);
        },
      )
      .finally(() => {
        this.inFlight.delete(job);
        this.fill();
      });
    this.inFlight.add(job);
  }

  /** Changes how many ready clusters to keep; surplus ready clusters are deleted (creations under way finish and stay). */
  resize(size: number): void {
    this.target = Math.max(0, size);
    const surplus = this.ready.splice(this.target);
    for (const c of surplus) void this.options.provider.delete(c.name).catch((error: unknown) => this.options.onError?.(error));
    this.fill();
  }

  /** A ready cluster if there is one (and a refill starts), else undefined. */
  take(): ClusterInfo | undefined {
    const cluster = this.ready.shift();
    this.fill();
    return cluster;
  }

  /** A ready cluster, or a new one created now with its progress reported. */
  async acquire(spec: (name: string) => ClusterSpec, onProgress?: (p: ClusterProgress) => void): Promise<{ cluster: ClusterInfo; fromPool: boolean }> {
    const pooled = this.take();
    if (pooled) return { cluster: pooled, fromPool: true };
    const cluster = await this.options.provider.create(spec(this.options.newName()), onProgress ? { onProgress } : {});
    return { cluster, fromPool: false };
  }

  /** Deletes one ready cluster to give its memory to a session; false when none is ready. */
  async evictOne(): Promise<boolean> {
    const cluster = this.ready.shift();
    if (!cluster) return false;
    await this.options.provider.delete(cluster.name).catch((error: unknown) => this.options.onError?.(error));
    return true;
  }

  /** Resolves when the creations under way now have finished (ready or failed). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** Names of clusters the pool holds (ready ones), so garbage collection leaves them alone. */
  names(): string[] {
    return this.ready.map((c) => c.name);
  }

  /** Deletes the ready clusters and, as they finish, the ones being created. */
  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
    const clusters = this.ready.splice(0);
    await Promise.allSettled(clusters.map((c) => this.options.provider.delete(c.name)));
  }
}

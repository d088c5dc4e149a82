// How many idle clusters this machine holds, from its free memory and CPUs. The figures are
// measured on kind clusters of kubelab's node image at rest (docs/benchmarks.md): about 600 MiB
// and 0.3 of a CPU each. Running workloads cost more, so the estimate is an upper bound.
import os from 'node:os';

export const MIB_PER_CLUSTER = 600;
export const CPU_PER_CLUSTER = 0.3;

/** What the new-classroom form shows beside the seat and pre-warm counts. */
export interface CapacityEstimate {
  freeMemoryMiB: number;
  cpus: number;
  /** Idle clusters that fit now, beside those already running. */
  clusters: number;
  /** Which resource runs out first. */
  limitedBy: 'memory' | 'cpu';
}

/** Pure: the estimate for a given free memory and CPU count. */
export function estimateCapacity(freeMemoryMiB: number, cpus: number): CapacityEstimate {
  const byMemory = Math.floor(freeMemoryMiB / MIB_PER_CLUSTER);
  const byCpu = Math.floor(cpus / CPU_PER_CLUSTER);
  return { freeMemoryMiB: Math.round(freeMemoryMiB), cpus, clusters: Math.max(0, Math.min(byMemory, byCpu)), limitedBy: byMemory <= byCpu ? 'memory' : 'cpu' };
}

/** The estimate for this machine now (os.freemem() is MemAvailable on Linux). */
export function machineCapacity(): CapacityEstimate {
  return estimateCapacity(os.freemem() / 2 ** 20, os.availableParallelism());
}

/** Pure: a warning when the requested clusters exceed the estimate, else undefined. */
export function capacityWarning(requested: number, estimate: CapacityEstimate): string | undefined {
  if (requested <= estimate.clusters) return undefined;
  return `this machine holds about ${estimate.clusters} idle clusters (${estimate.freeMemoryMiB} MiB free, ${estimate.cpus} CPUs; ~${MIB_PER_CLUSTER} MiB and ~${CPU_PER_CLUSTER} CPU each); ${requested} will make labs slow or fail to start`;
}

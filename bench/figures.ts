// Where bench results go: docs/figures/<suite>.json, each with when and on what it was measured
// (CPUs, the load average while it ran: this machine is often shared, and a loaded machine gives
// pessimistic figures), and the command that produced it.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';

export const FIGURES_DIR = path.join('docs', 'figures');

/** The machine as a figure should record it. */
export function machine(): { cpus: number; memoryGiB: number; loadAverage1m: number; contended: boolean } {
  const load = loadavg()[0] ?? 0;
  const n = cpus().length;
  return { cpus: n, memoryGiB: Math.round(totalmem() / 2 ** 30), loadAverage1m: Math.round(load * 10) / 10, contended: load > n };
}

/** Writes docs/figures/<name>.json with measuredAt and the machine, and returns what it wrote. */
export async function writeFigures<T extends { command: string }>(name: string, figures: T): Promise<{ measuredAt: string; machine: ReturnType<typeof machine> } & T> {
  const m = machine();
  const result = {
    measuredAt: new Date().toISOString(),
    machine: m,
    ...(m.contended && { note: `measured while the machine was loaded (1-minute load ${m.loadAverage1m} on ${m.cpus} CPUs, shared with other work): pessimistic; re-run on a quiet machine for reference figures` }),
    ...figures,
  };
  await mkdir(FIGURES_DIR, { recursive: true });
  await writeFile(path.join(FIGURES_DIR, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/** `--name value` from a bench's arguments. */
export function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

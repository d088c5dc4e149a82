// Helpers of end-to-end tests that run a SessionManager on real kind clusters under their own
// name prefix and owner label, so cleaning up never touches anybody else's clusters.
import { execa } from 'execa';
import type { KindProvider } from '../../server/clusters/kind.js';

/** Polls `predicate` every half second; throws naming `what` after `timeoutMs`. */
export async function until(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Deletes the clusters and containers (toolboxes) a test made under `prefix` and `owner`. */
export async function removeOwned(provider: KindProvider, prefix: string, owner: string): Promise<void> {
  for (const c of await provider.list({ prefix, owner })) await provider.delete(c.name).catch(() => undefined);
  const containers = (await execa('docker', ['ps', '-aq', '--filter', `label=dev.kubelab.owner=${owner}`])).stdout.split('\n').filter(Boolean);
  if (containers.length) await execa('docker', ['rm', '-f', ...containers], { reject: false });
}

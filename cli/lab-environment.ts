// Where `kubelab test` gets real clusters: kind clusters from the local node image, with the
// attendee toolbox; each lane of a parallel run reuses one cluster, reset between lessons.
import { readVersions } from '../images/build/targets.js';
import { evaluateChecks } from '../server/checks/evaluate.js';
import { KubeClusterReader } from '../server/checks/kube-cluster-reader.js';
import { KindProvider } from '../server/clusters/kind.js';
import type { Lab } from '../server/lessons/load.js';
import type { LabEnvironment } from '../server/lessons/prove.js';
import { ReusableEnvironments } from '../server/sessions/reusable-environments.js';

/** A LabEnvironment handed to one lesson; dispose() gives it back. */
export interface DisposableLabEnvironment extends LabEnvironment {
  dispose(): Promise<void>;
}

/** Environments for lessons, plus `close()` to tear every cluster down at the end of the run. */
export type LabEnvironmentFactory = ((lab: Lab, lane?: number) => Promise<DisposableLabEnvironment>) & { close?: () => Promise<void> };

/** The real factory: kind clusters through KindProvider, checks through the check engine. */
export async function createLabEnvironmentFactory(log: (line: string) => void): Promise<LabEnvironmentFactory> {
  const versions = await readVersions();
  const provider = await KindProvider.create();
  const environments = new ReusableEnvironments({
    provider,
    nodeImage: versions.node.image,
    toolboxImage: versions.toolbox.image,
    evaluator: (kubeconfig, toolbox) => {
      const reader = KubeClusterReader.fromKubeconfig(kubeconfig);
      const runner = { run: (script: string, options: { timeoutMs: number; signal?: AbortSignal | undefined }) => toolbox.exec(script, { timeoutMs: options.timeoutMs, ...(options.signal && { signal: options.signal }) }) };
      return async (checks, { retry }) => evaluateChecks(checks, { reader, runner, retry });
    },
    loadImages: (cluster, images) => provider.loadImages(cluster, images),
    log,
  });
  return Object.assign((lab: Lab, lane?: number) => environments.forLab(lab, lane), { close: () => environments.close() });
}

// What a lab's `cluster:` and `images:` mean for kind: the one place that turns `ingress: true`
// into the ingress-ready node label, so every caller creates the same cluster.
//
// Ingress publishes no host ports: the toolbox sits on the cluster's Docker network and reaches
// an ingress controller's hostPort 80/443 on the control-plane node directly. Host ports 80/443
// would let only one ingress cluster exist per machine, and a classroom runs dozens.
import type { ClusterSpec } from '../clusters/provider.js';
import type { LessonManifest } from './schema.js';

/** The parts of a ClusterSpec a lab decides (name and node image are the server's choice). */
export function labClusterShape(manifest: Pick<LessonManifest, 'cluster' | 'images'>): Pick<ClusterSpec, 'workers' | 'portMappings' | 'controlPlaneLabels' | 'preloadImages'> {
  const { workers, ingress, portMappings = [] } = manifest.cluster;
  const mappings = portMappings.map(({ containerPort, hostPort }) => ({ containerPort, hostPort }));
  return {
    workers,
    ...(mappings.length && { portMappings: mappings }),
    ...(ingress && { controlPlaneLabels: { 'ingress-ready': 'true' } }),
    ...(manifest.images.length && { preloadImages: [...manifest.images] }),
  };
}

/**
 * Labels a running cluster's control plane (an ingress lab on a cluster made without its label: a
 * warm one, or a prover lane's). Runs in the cluster's toolbox; throws with kubectl's words.
 */
export async function labelControlPlane(toolbox: { exec(script: string, options?: { timeoutMs?: number }): Promise<{ exitCode: number; output: string }> }, cluster: string, labels: Record<string, string>): Promise<void> {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(' ');
  const r = await toolbox.exec(`kubectl label node -l node-role.kubernetes.io/control-plane --overwrite ${pairs}`, { timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`labelling the control plane of ${cluster} (${pairs}) failed: ${r.output.trim()}`);
}

// What a lab's `cluster:` and `images:` mean for kind: the one place that turns `ingress: true`
// into host ports 80/443 and the ingress-ready label, so every caller creates the same cluster.
import type { ClusterSpec } from '../clusters/provider.js';
import type { LessonManifest } from './schema.js';

/** Ports an ingress controller listens on, published from the control plane to the host. */
export const INGRESS_PORTS = [80, 443] as const;

/** The parts of a ClusterSpec a lab decides (name and node image are the server's choice). */
export function labClusterShape(manifest: Pick<LessonManifest, 'cluster' | 'images'>): Pick<ClusterSpec, 'workers' | 'portMappings' | 'controlPlaneLabels' | 'preloadImages'> {
  const { workers, ingress, portMappings = [] } = manifest.cluster;
  const ingressPorts = ingress ? INGRESS_PORTS.map((port) => ({ containerPort: port, hostPort: port })) : [];
  const mappings = [...ingressPorts, ...portMappings.map(({ containerPort, hostPort }) => ({ containerPort, hostPort }))];
  return {
    workers,
    ...(mappings.length && { portMappings: mappings }),
    ...(ingress && { controlPlaneLabels: { 'ingress-ready': 'true' } }),
    ...(manifest.images.length && { preloadImages: [...manifest.images] }),
  };
}

// The kind cluster config for a ClusterSpec, generated as YAML text for `kind create --config -`.
import { stringify } from 'yaml';
import type { ClusterSpec } from './provider.js';

/** Pure: the same spec always gives the same config. */
export function kindConfig(spec: ClusterSpec): string {
  const controlPlane: Record<string, unknown> = { role: 'control-plane' };
  if (spec.portMappings?.length) {
    controlPlane.extraPortMappings = spec.portMappings.map((p) => ({
      containerPort: p.containerPort,
      hostPort: p.hostPort,
      listenAddress: p.listenAddress ?? '127.0.0.1',
      protocol: 'TCP',
    }));
  }
  if (spec.controlPlaneLabels && Object.keys(spec.controlPlaneLabels).length > 0) {
    controlPlane.labels = spec.controlPlaneLabels;
  }
  const workers = Array.from({ length: spec.workers ?? 0 }, () => ({ role: 'worker' }));
  return stringify({
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: spec.name,
    nodes: [controlPlane, ...workers],
  });
}

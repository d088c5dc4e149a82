// Whether a workload's rollout is complete, by the rules `kubectl rollout status` applies, and if
// not, what it is waiting for. Pure: it reads the object the API server returned.
import type { KubeObject } from './cluster-reader.js';

/** Rollout state: done, or the one thing still pending, in words. */
export interface RolloutStatus {
  done: boolean;
  message: string;
}

type Fields = Record<string, unknown>;

function record(value: unknown): Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : {};
}

function int(value: unknown, fallback = 0): number {
  return typeof value === 'number' ? value : fallback;
}

function observed(object: KubeObject): boolean {
  const status = record(object.status);
  return int(object.metadata?.generation) <= int(status.observedGeneration);
}

function deploymentStatus(name: string, object: KubeObject): RolloutStatus {
  const spec = record(object.spec);
  const status = record(object.status);
  if (!observed(object)) return { done: false, message: `deployment ${name}: the controller has not yet seen the latest change` };
  const conditions = Array.isArray(status.conditions) ? status.conditions.map(record) : [];
  const progressing = conditions.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { done: false, message: `deployment ${name} exceeded its progress deadline; its new pods did not become available (look at kubectl describe deployment ${name} and its pods)` };
  }
  const desired = int(spec.replicas, 1);
  const updated = int(status.updatedReplicas);
  const total = int(status.replicas);
  const available = int(status.availableReplicas);
  if (updated < desired) return { done: false, message: `deployment ${name}: ${updated} of ${desired} new replicas have been updated` };
  if (total > updated) return { done: false, message: `deployment ${name}: ${total - updated} old replicas are pending termination` };
  if (available < updated) return { done: false, message: `deployment ${name}: ${available} of ${updated} updated replicas are available` };
  return { done: true, message: `deployment ${name} rolled out: ${available} of ${desired} replicas updated and available` };
}

function statefulSetStatus(name: string, object: KubeObject): RolloutStatus {
  const spec = record(object.spec);
  const status = record(object.status);
  const strategy = record(spec.updateStrategy);
  if (strategy.type !== undefined && strategy.type !== 'RollingUpdate') {
    return { done: false, message: `statefulset ${name} uses the ${String(strategy.type)} update strategy; rollout status needs RollingUpdate` };
  }
  if (int(status.observedGeneration) === 0 || !observed(object)) {
    return { done: false, message: `statefulset ${name}: the controller has not yet seen the latest change` };
  }
  const desired = int(spec.replicas, 1);
  const ready = int(status.readyReplicas);
  if (ready < desired) return { done: false, message: `statefulset ${name}: ${ready} of ${desired} pods are ready` };
  const partition = int(record(strategy.rollingUpdate).partition);
  if (partition > 0) {
    const updated = int(status.updatedReplicas);
    if (updated < desired - partition) {
      return { done: false, message: `statefulset ${name}: ${updated} of ${desired - partition} pods above the partition have been updated` };
    }
    return { done: true, message: `statefulset ${name} rolled out its partition: ${updated} pods updated` };
  }
  if (status.updateRevision !== status.currentRevision) {
    return { done: false, message: `statefulset ${name}: ${int(status.updatedReplicas)} of ${desired} pods are at the new revision` };
  }
  return { done: true, message: `statefulset ${name} rolled out: ${ready} of ${desired} pods ready at the current revision` };
}

function daemonSetStatus(name: string, object: KubeObject): RolloutStatus {
  const spec = record(object.spec);
  const status = record(object.status);
  const strategy = record(spec.updateStrategy);
  if (strategy.type !== undefined && strategy.type !== 'RollingUpdate') {
    return { done: false, message: `daemonset ${name} uses the ${String(strategy.type)} update strategy; rollout status needs RollingUpdate` };
  }
  if (!observed(object)) return { done: false, message: `daemonset ${name}: the controller has not yet seen the latest change` };
  const desired = int(status.desiredNumberScheduled);
  const updated = int(status.updatedNumberScheduled);
  const available = int(status.numberAvailable);
  if (updated < desired) return { done: false, message: `daemonset ${name}: ${updated} of ${desired} new pods have been updated` };
  if (available < desired) return { done: false, message: `daemonset ${name}: ${available} of ${desired} updated pods are available` };
  return { done: true, message: `daemonset ${name} rolled out: ${available} of ${desired} pods updated and available` };
}

/** The rollout state of a Deployment, StatefulSet or DaemonSet. */
export function rolloutStatus(kind: 'Deployment' | 'StatefulSet' | 'DaemonSet', object: KubeObject): RolloutStatus {
  const name = object.metadata?.name ?? '?';
  switch (kind) {
    case 'Deployment':
      return deploymentStatus(name, object);
    case 'StatefulSet':
      return statefulSetStatus(name, object);
    case 'DaemonSet':
      return daemonSetStatus(name, object);
  }
}

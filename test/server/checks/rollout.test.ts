import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../server/checks/cluster-reader.js';
import { rolloutStatus } from '../../../server/checks/rollout.js';
import { fixture } from './fake-cluster.js';

function edit(name: string, change: (object: Record<string, any>) => void): KubeObject {
  const object = fixture(name) as Record<string, any>;
  change(object);
  return object as KubeObject;
}

describe('rolloutStatus follows kubectl rollout status', () => {
  it.each([
    ['a finished deployment', 'Deployment', fixture('deployment-web-complete'), true, 'deployment web rolled out: 3 of 3 replicas updated and available'],
    ['a deployment with too few updated replicas', 'Deployment', fixture('deployment-web-rolling'), false, 'deployment web: 1 of 3 new replicas have been updated'],
    ['a deployment with old replicas left', 'Deployment', edit('deployment-web-rolling', (d) => (d.status.updatedReplicas = 3)), false, 'deployment web: 1 old replicas are pending termination'],
    ['a deployment whose new replicas are not available', 'Deployment', edit('deployment-web-complete', (d) => (d.status.availableReplicas = 2)), false, 'deployment web: 2 of 3 updated replicas are available'],
    ['a deployment change the controller has not seen', 'Deployment', edit('deployment-web-complete', (d) => (d.metadata.generation = 3)), false, 'deployment web: the controller has not yet seen the latest change'],
    [
      'a deployment past its progress deadline',
      'Deployment',
      edit('deployment-web-rolling', (d) => Object.assign(d.status.conditions[1], { reason: 'ProgressDeadlineExceeded', status: 'False' })),
      false,
      'deployment web exceeded its progress deadline; its new pods did not become available (look at kubectl describe deployment web and its pods)',
    ],
    ['a deployment scaled to zero', 'Deployment', edit('deployment-web-complete', (d) => { d.spec.replicas = 0; d.status = { observedGeneration: 2 }; }), true, 'deployment web rolled out: 0 of 0 replicas updated and available'],
    ['a finished statefulset', 'StatefulSet', fixture('statefulset-db'), true, 'statefulset db rolled out: 2 of 2 pods ready at the current revision'],
    ['a statefulset with a pod not ready', 'StatefulSet', edit('statefulset-db', (s) => (s.status.readyReplicas = 1)), false, 'statefulset db: 1 of 2 pods are ready'],
    ['a statefulset between revisions', 'StatefulSet', edit('statefulset-db', (s) => { s.status.updateRevision = 'db-77f8c9d6b'; s.status.updatedReplicas = 1; }), false, 'statefulset db: 1 of 2 pods are at the new revision'],
    ['a partitioned statefulset that updated the pods above the partition', 'StatefulSet', edit('statefulset-db', (s) => { s.spec.updateStrategy.rollingUpdate.partition = 1; s.status.updateRevision = 'db-77f8c9d6b'; s.status.updatedReplicas = 1; }), true, 'statefulset db rolled out its partition: 1 pods updated'],
    ['a statefulset with OnDelete', 'StatefulSet', edit('statefulset-db', (s) => (s.spec.updateStrategy = { type: 'OnDelete' })), false, 'statefulset db uses the OnDelete update strategy; rollout status needs RollingUpdate'],
    ['a daemonset with a pod unavailable', 'DaemonSet', fixture('daemonset-agent'), false, 'daemonset agent: 1 of 2 updated pods are available'],
    ['a finished daemonset', 'DaemonSet', edit('daemonset-agent', (d) => (d.status.numberAvailable = 2)), true, 'daemonset agent rolled out: 2 of 2 pods updated and available'],
    ['a daemonset still updating', 'DaemonSet', edit('daemonset-agent', (d) => (d.status.updatedNumberScheduled = 1)), false, 'daemonset agent: 1 of 2 new pods have been updated'],
  ] as const)('%s', (_name, kind, object, done, message) => {
    expect(rolloutStatus(kind, object)).toEqual({ done, message });
  });
});

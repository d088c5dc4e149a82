// The built-in Kubernetes kinds checks may name without an apiVersion, and whether each lives in
// a namespace. Custom resources are not listed: a check names their apiVersion and the cluster's
// discovery says the rest.

/** What kubelab knows about a built-in kind without asking the API server. */
export interface BuiltinKind {
  apiVersion: string;
  namespaced: boolean;
}

/** Built-in kinds by `kind`; lesson authors write `kind: Pod` and kubelab fills in `v1`. */
export const BUILTIN_KINDS: Readonly<Record<string, BuiltinKind>> = {
  Pod: { apiVersion: 'v1', namespaced: true },
  Service: { apiVersion: 'v1', namespaced: true },
  Endpoints: { apiVersion: 'v1', namespaced: true },
  ConfigMap: { apiVersion: 'v1', namespaced: true },
  Secret: { apiVersion: 'v1', namespaced: true },
  ServiceAccount: { apiVersion: 'v1', namespaced: true },
  PersistentVolumeClaim: { apiVersion: 'v1', namespaced: true },
  PersistentVolume: { apiVersion: 'v1', namespaced: false },
  Namespace: { apiVersion: 'v1', namespaced: false },
  Node: { apiVersion: 'v1', namespaced: false },
  Event: { apiVersion: 'v1', namespaced: true },
  LimitRange: { apiVersion: 'v1', namespaced: true },
  ResourceQuota: { apiVersion: 'v1', namespaced: true },
  ReplicationController: { apiVersion: 'v1', namespaced: true },
  Deployment: { apiVersion: 'apps/v1', namespaced: true },
  StatefulSet: { apiVersion: 'apps/v1', namespaced: true },
  DaemonSet: { apiVersion: 'apps/v1', namespaced: true },
  ReplicaSet: { apiVersion: 'apps/v1', namespaced: true },
  ControllerRevision: { apiVersion: 'apps/v1', namespaced: true },
  Job: { apiVersion: 'batch/v1', namespaced: true },
  CronJob: { apiVersion: 'batch/v1', namespaced: true },
  Ingress: { apiVersion: 'networking.k8s.io/v1', namespaced: true },
  IngressClass: { apiVersion: 'networking.k8s.io/v1', namespaced: false },
  NetworkPolicy: { apiVersion: 'networking.k8s.io/v1', namespaced: true },
  EndpointSlice: { apiVersion: 'discovery.k8s.io/v1', namespaced: true },
  Role: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true },
  RoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true },
  ClusterRole: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false },
  ClusterRoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false },
  HorizontalPodAutoscaler: { apiVersion: 'autoscaling/v2', namespaced: true },
  PodDisruptionBudget: { apiVersion: 'policy/v1', namespaced: true },
  StorageClass: { apiVersion: 'storage.k8s.io/v1', namespaced: false },
  PriorityClass: { apiVersion: 'scheduling.k8s.io/v1', namespaced: false },
  CustomResourceDefinition: { apiVersion: 'apiextensions.k8s.io/v1', namespaced: false },
  Lease: { apiVersion: 'coordination.k8s.io/v1', namespaced: true },
};

/** The built-in entry for `kind`, or undefined for custom resources. */
export function builtinKind(kind: string): BuiltinKind | undefined {
  return Object.hasOwn(BUILTIN_KINDS, kind) ? BUILTIN_KINDS[kind] : undefined;
}

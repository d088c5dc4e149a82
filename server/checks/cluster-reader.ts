// What the check engine needs from a cluster, and nothing more: read objects, ask the authorizer,
// GET through a service proxy. The engine depends on this interface; the real implementation is
// kube-cluster-reader.ts, and unit tests pass a reader over recorded objects.

/** A Kubernetes object as the API server returns it in JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; generation?: number; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

/** How the cluster serves a kind, learnt through discovery. */
export interface KindInfo {
  /** Plural resource name, as in URLs and RBAC rules: pods, deployments. */
  resource: string;
  namespaced: boolean;
}

/** One object, by name. `namespace` is ignored for cluster-scoped kinds. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string | undefined;
}

/** Objects of one kind; without a namespace, across all namespaces. */
export interface ListQuery {
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
}

/** The question of a SubjectAccessReview. */
export interface AccessQuestion {
  user?: string | undefined;
  groups?: string[] | undefined;
  verb: string;
  group?: string | undefined;
  resource: string;
  subresource?: string | undefined;
  namespace?: string | undefined;
  name?: string | undefined;
}

/** The authorizer's answer. */
export interface AccessAnswer {
  allowed: boolean;
  reason?: string | undefined;
  evaluationError?: string | undefined;
}

/** A service and port to reach through the API server's service proxy. */
export interface ServiceTarget {
  namespace: string;
  name: string;
  port: number | string;
}

/** What came back from an HTTP GET. */
export interface HttpAnswer {
  status: number;
  body: string;
}

/** Every call takes the signal of the evaluation it serves, so a timed-out check stops its request. */
export interface ReadOptions {
  signal?: AbortSignal | undefined;
}

/** Read-only access to one attendee's cluster. Errors are ClusterReadError; a missing object is undefined. */
export interface ClusterReader {
  kindInfo(apiVersion: string, kind: string, options?: ReadOptions): Promise<KindInfo>;
  get(ref: ObjectRef, options?: ReadOptions): Promise<KubeObject | undefined>;
  list(query: ListQuery, options?: ReadOptions): Promise<KubeObject[]>;
  reviewAccess(question: AccessQuestion, options?: ReadOptions): Promise<AccessAnswer>;
  proxyGet(target: ServiceTarget, path: string, options?: ReadOptions): Promise<HttpAnswer>;
}

/** Why a read failed, so a check can say it in words and the caller can react by code. */
export type ClusterReadErrorCode = 'unreachable' | 'unauthorized' | 'forbidden' | 'unknown-kind' | 'timeout' | 'invalid' | 'api-error';

/** A read that failed; the message says what happened and what to do next. */
export class ClusterReadError extends Error {
  constructor(
    readonly code: ClusterReadErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ClusterReadError';
  }
}

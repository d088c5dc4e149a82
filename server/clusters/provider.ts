// The boundary between kubelab and whatever runs Kubernetes clusters (kind today).
// Modelled on kind's own providers/provider.go: a small set of verbs, no kind types leaking out.

/** Labels kubelab puts on every cluster it creates, so garbage collection can find its own. */
export const OWNER_LABEL = 'dev.kubelab.owner';

/** Shape of a cluster as a lesson asks for it. */
export interface ClusterSpec {
  /** DNS-safe name, unique on this Docker host (kind adds `-control-plane`, `-worker`, …). */
  name: string;
  /** Node image, e.g. `kubelab/node:v1.33.13`. */
  image: string;
  /** Number of worker nodes besides the control plane (0 = single-node cluster). */
  workers?: number;
  /** Host ports published on the control-plane node (for ingress on 80/443). */
  portMappings?: { containerPort: number; hostPort: number; listenAddress?: string }[];
  /** Node labels on the control plane, e.g. `ingress-ready=true`. */
  controlPlaneLabels?: Record<string, string>;
  /** Images from the local Docker engine to load into every node (`kind load docker-image`). */
  preloadImages?: string[];
  /** Labels on the node containers, in addition to the owner label. */
  labels?: Record<string, string>;
  /** Value of the owner label (e.g. the server instance); defaults to `kubelab`. */
  owner?: string;
}

/** A cluster as found on the Docker host. */
export interface ClusterInfo {
  name: string;
  /** Docker network the nodes are attached to (one per cluster, named like the cluster). */
  network: string;
  /** Node container names. */
  nodes: string[];
  labels: Record<string, string>;
}

/** Progress of a long operation, for the console and the page. */
export interface ClusterProgress {
  phase: 'network' | 'creating' | 'loading-images' | 'ready' | 'deleting';
  message: string;
}

export interface CreateOptions {
  onProgress?: (progress: ClusterProgress) => void;
  signal?: AbortSignal;
}

export interface ClusterProvider {
  create(spec: ClusterSpec, options?: CreateOptions): Promise<ClusterInfo>;
  delete(name: string): Promise<void>;
  /** Clusters whose name starts with `prefix` and that carry the owner label (optionally a given owner). */
  list(filter: { prefix: string; owner?: string }): Promise<ClusterInfo[]>;
  /**
   * Kubeconfig for the cluster. `external`: API server on 127.0.0.1:<port>, for the kubelab server.
   * `internal`: API server at `<name>-control-plane:6443`, for a container on the cluster's network
   * (the attendee's toolbox).
   */
  kubeconfig(name: string, kind: 'external' | 'internal'): Promise<string>;
}

// Bringing a used cluster back to the state it had when it was fresh, without re-creating it
// (seconds instead of ~20 s): what a lab added is deleted, what it changed on nodes is restored.
// The baseline is a snapshot taken right after the cluster was created.

/** Cluster-scoped kinds a lab may create, compared by name against the baseline. */
export const CLUSTER_SCOPED_KINDS = ['namespaces', 'clusterroles', 'clusterrolebindings', 'storageclasses', 'ingressclasses', 'priorityclasses', 'persistentvolumes', 'customresourcedefinitions', 'validatingwebhookconfigurations', 'mutatingwebhookconfigurations', 'apiservices'];

/** Namespaced kinds a lab may create in namespaces that existed at the start (default, kube-system …). */
export const NAMESPACED_KINDS = [
  'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs', 'pods', 'services', 'ingresses',
  'configmaps', 'secrets', 'persistentvolumeclaims', 'serviceaccounts', 'roles', 'rolebindings', 'networkpolicies',
  'resourcequotas', 'limitranges', 'horizontalpodautoscalers', 'poddisruptionbudgets', 'endpoints',
];

/** The script that records the baseline: one line per object, `kind namespace name`, plus node state as JSON. */
export function snapshotScript(): string {
  return [
    'set -e',
    `for k in ${CLUSTER_SCOPED_KINDS.join(' ')}; do kubectl get "$k" -o jsonpath='{range .items[*]}{.metadata.name}{"\\n"}{end}' 2>/dev/null | sed "s|^|$k - |"; done`,
    `for k in ${NAMESPACED_KINDS.join(' ')}; do kubectl get "$k" -A -o jsonpath='{range .items[*]}{.metadata.namespace} {.metadata.name}{"\\n"}{end}' 2>/dev/null | sed "s|^|$k |"; done`,
    `echo "---nodes---"`,
    `kubectl get nodes -o json | jq -c '[.items[] | {name: .metadata.name, labels: .metadata.labels, taints: (.spec.taints // []), unschedulable: (.spec.unschedulable // false)}]'`,
  ].join('\n');
}

export interface NodeState {
  name: string;
  labels: Record<string, string>;
  taints: { key: string; value?: string; effect: string }[];
  unschedulable: boolean;
}

export interface Snapshot {
  objects: Set<string>;
  nodes: NodeState[];
}

/** Parses the output of snapshotScript(). */
export function parseSnapshot(output: string): Snapshot {
  const [objectsText = '', nodesText = '[]'] = output.split('---nodes---');
  const objects = new Set(objectsText.split('\n').map((l) => l.trim()).filter(Boolean));
  return { objects, nodes: JSON.parse(nodesText.trim() || '[]') as NodeState[] };
}

/**
 * Pure: the script that removes what is not in the baseline and restores node state. Objects
 * owned by controllers (pods of a deployment, endpoints of a service) go with their owners; the
 * loop deletes leftovers by name, ignoring ones already gone.
 */
export function resetScript(baseline: Snapshot, current: Snapshot): string {
  const lines = ['set -u', 'del() { kubectl delete "$@" --ignore-not-found --wait=false >/dev/null 2>&1 || true; }'];
  const extra = [...current.objects].filter((o) => !baseline.objects.has(o));
  const namespaces = extra.filter((o) => o.startsWith('namespaces - ')).map((o) => o.split(' ')[2] ?? '');
  const doomed = new Set(namespaces);
  if (namespaces.length) lines.push(`del namespace ${namespaces.join(' ')}`);
  for (const o of extra) {
    const [kind = '', ns = '', name = ''] = o.split(' ');
    if (kind === 'namespaces' || doomed.has(ns)) continue;
    if (ns === '-') lines.push(`del ${kind} ${name}`);
    else lines.push(`del ${kind} -n ${ns} ${name}`);
  }
  for (const node of baseline.nodes) {
    const now = current.nodes.find((n) => n.name === node.name);
    if (!now) continue;
    if (now.unschedulable !== node.unschedulable) lines.push(`kubectl ${node.unschedulable ? 'cordon' : 'uncordon'} ${node.name} >/dev/null`);
    const labelArgs: string[] = [];
    for (const key of Object.keys(now.labels)) if (!(key in node.labels)) labelArgs.push(`${key}-`);
    for (const [key, value] of Object.entries(node.labels)) if (now.labels[key] !== value) labelArgs.push(`${key}=${value}`);
    if (labelArgs.length) lines.push(`kubectl label node ${node.name} --overwrite ${labelArgs.map(shellWord).join(' ')} >/dev/null`);
    if (JSON.stringify(now.taints) !== JSON.stringify(node.taints)) {
      lines.push(`kubectl patch node ${node.name} --type=merge -p ${shellWord(JSON.stringify({ spec: { taints: node.taints } }))} >/dev/null`);
    }
  }
  if (namespaces.length) {
    // Wait until *every* deleted namespace is gone (get fails as soon as one of several is missing,
    // so list the survivors instead): a lab's setup recreating one that is still terminating fails.
    lines.push(`for i in $(seq 1 240); do [ -z "$(kubectl get namespace ${namespaces.join(' ')} --ignore-not-found -o name 2>/dev/null)" ] && break; sleep 0.5; done`);
  }
  lines.push(`kubectl wait --for=delete pod --all -n default --timeout=60s >/dev/null 2>&1 || true`);
  return lines.join('\n');
}

function shellWord(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

// Is a session's cluster still there? A Docker engine restart, an OOM kill or an operator's
// `docker kill` takes a node or the toolbox away, and without a probe the attendee only sees
// Checks that cannot reach the API and a dead terminal. The probe is cheap on purpose (one
// `docker inspect` of the node and toolbox containers, one GET to the API server) because it
// runs for every live session every HEALTH_INTERVAL_MS.
//
// judgeHealth() is pure: a container that is not running means the cluster is lost at once (it
// does not come back by itself); an API server that does not answer is only believed lost after
// API_FAILURES_BEFORE_LOST probes in a row, since on a loaded machine it can stall for seconds.
import type { ClusterReader } from '../../checks/cluster-reader.js';
import { KubeClusterReader } from '../../checks/kube-cluster-reader.js';
import { type CommandRunner, execaRunner } from '../../clusters/command.js';
import type { ClusterInfo } from '../../clusters/provider.js';
import type { SessionToolbox } from './toolbox-host.js';

/** How often each live session is probed. */
export const HEALTH_INTERVAL_MS = 10_000;
/** Consecutive unanswered API probes before the cluster counts as lost (with every container running). */
export const API_FAILURES_BEFORE_LOST = 3;
/** How long one API probe may take. */
export const API_PROBE_TIMEOUT_MS = 5_000;

/** One container as `docker inspect` saw it; `missing` when it no longer exists. */
export interface ContainerHealth {
  name: string;
  role: 'node' | 'toolbox';
  status: 'running' | 'missing' | (string & {});
  exitCode?: number;
  oomKilled?: boolean;
}

/** What one probe found. */
export interface HealthObservation {
  containers: ContainerHealth[];
  api: { ok: true } | { ok: false; error: string };
}

/** A probe's verdict, given how many API probes in a row had failed before it. */
export type HealthVerdict = { state: 'healthy' } | { state: 'suspect'; apiFailures: number } | { state: 'lost'; reason: string };

function containerReason(c: ContainerHealth): string {
  const what = c.role === 'node' ? `its node container ${c.name}` : `the terminal container ${c.name}`;
  if (c.status === 'missing') return `${what} was removed`;
  if (c.oomKilled) return `${what} ran out of memory and was killed`;
  if (c.status === 'exited' || c.status === 'dead') return `${what} stopped${c.exitCode !== undefined ? ` (exit code ${c.exitCode})` : ''}`;
  return `${what} is ${c.status}`;
}

/** Healthy, suspect (the API missed a probe) or lost, with a reason an attendee can read. */
export function judgeHealth(observation: HealthObservation, apiFailuresBefore: number): HealthVerdict {
  const down = observation.containers.filter((c) => c.status !== 'running');
  const node = down.find((c) => c.role === 'node');
  const first = node ?? down[0];
  if (first) return { state: 'lost', reason: containerReason(first) };
  if (observation.api.ok) return { state: 'healthy' };
  const apiFailures = apiFailuresBefore + 1;
  if (apiFailures >= API_FAILURES_BEFORE_LOST) return { state: 'lost', reason: `its API server did not answer ${apiFailures} times in a row: ${observation.api.error}` };
  return { state: 'suspect', apiFailures };
}

/** The banner text for a lost cluster. */
export function lostMessage(reason: string): string {
  return `Your cluster stopped (${reason}). Reset creates a fresh one; your progress is kept.`;
}

/** Parses `docker inspect --format '{{.Name}}|{{.State.Status}}|{{.State.ExitCode}}|{{.State.OOMKilled}}'`; absent names are missing. */
export function parseInspect(stdout: string, wanted: { name: string; role: ContainerHealth['role'] }[]): ContainerHealth[] {
  const seen = new Map<string, Omit<ContainerHealth, 'role'>>();
  for (const line of stdout.split('\n')) {
    const [rawName, status, exitCode, oom] = line.trim().split('|');
    if (!rawName || !status) continue;
    const name = rawName.replace(/^\//, '');
    seen.set(name, { name, status, ...(exitCode !== undefined && exitCode !== '' && { exitCode: Number(exitCode) }), ...(oom === 'true' && { oomKilled: true }) });
  }
  return wanted.map((w) => ({ ...(seen.get(w.name) ?? { name: w.name, status: 'missing' }), role: w.role }));
}

/** Probes one session's cluster: the Docker CLI for its containers, the reader for its API server. */
export function dockerHealthProbe(run: CommandRunner, target: { nodes: string[]; toolbox: string; reader: ClusterReader }): () => Promise<HealthObservation> {
  const wanted = [...target.nodes.map((name) => ({ name, role: 'node' as const })), { name: target.toolbox, role: 'toolbox' as const }];
  return async () => {
    const format = '{{.Name}}|{{.State.Status}}|{{.State.ExitCode}}|{{.State.OOMKilled}}';
    // Exit 1 when some container is missing; the others are still printed.
    const inspected = await run('docker', ['inspect', '--type', 'container', '--format', format, ...wanted.map((w) => w.name)], { timeoutMs: 15_000 });
    if (inspected.exitCode !== 0 && !/No such (container|object)/i.test(inspected.stderr)) {
      // Docker itself did not answer: that says nothing about this cluster; judge it by its API alone.
      return { containers: [], api: await probeApi(target.reader) };
    }
    return { containers: parseInspect(inspected.stdout, wanted), api: await probeApi(target.reader) };
  };
}

async function probeApi(reader: ClusterReader): Promise<HealthObservation['api']> {
  try {
    await reader.get({ apiVersion: 'v1', kind: 'Namespace', name: 'default' }, { signal: AbortSignal.timeout(API_PROBE_TIMEOUT_MS) });
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** The production probe factory for SessionManagerOptions.health: Docker CLI plus a reader from the session's kubeconfig. */
export function dockerSessionHealth(run: CommandRunner = execaRunner) {
  return (cluster: ClusterInfo, kubeconfig: string, toolbox: SessionToolbox) =>
    dockerHealthProbe(run, { nodes: cluster.nodes, toolbox: toolbox.name, reader: KubeClusterReader.fromKubeconfig(kubeconfig) });
}

// When an attendee's failing Check is worth retrying. A check's `retryFor` bounds how long Check
// may wait for the cluster to catch up (a pod starting, a rollout), but waiting it out whenever a
// check fails makes every wrong answer take a minute. So an interactive Check retries only while
// the cluster is visibly converging on the check:
//   - within SETTLE_GRACE_MS of the first attempt (the API and controllers lag a command by a moment);
//   - while what the check saw changes from one attempt to the next (its actual value or message,
//     or the resourceVersion of an object it read);
//   - while an object it read is in transition: a pod Pending without a back-off or scheduling
//     failure, ContainerCreating/PodInitializing, or Terminating; a rollout not complete (and not
//     past its progress deadline); a Job with active pods; anything being deleted.
// A state that holds still and is still wrong is reported at once; never later than retryFor.
// `kubelab test` proves solutions with full retries instead: it must wait for slow convergence.
// Pure: it reads the objects the check observed.
import type { KubeObject } from './cluster-reader.js';
import type { Verdict } from './judge.js';
import { rolloutStatus } from './rollout.js';

/** How long after the first attempt a failing check is retried even when nothing moves. */
export const SETTLE_GRACE_MS = 1_500;

/** One attempt as the decision sees it: the verdict, and the objects read (object checks only). */
export interface Attempt {
  verdict: Verdict;
  objects?: readonly KubeObject[] | undefined;
}

type Fields = Record<string, unknown>;
const record = (value: unknown): Fields => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : {});
const list = (value: unknown): Fields[] => (Array.isArray(value) ? value.map(record) : []);

/** Waiting reasons that mean "still starting", as opposed to a back-off or an error that stays. */
const STARTING = new Set(['ContainerCreating', 'PodInitializing']);

function podTransition(name: string, pod: KubeObject): string | undefined {
  const status = record(pod.status);
  const containers = [...list(status.initContainerStatuses), ...list(status.containerStatuses)];
  const waiting = containers.map((c) => record(record(c.state).waiting).reason).filter((r): r is string => typeof r === 'string');
  if (waiting.some((r) => STARTING.has(r))) return `pod ${name} is ${waiting.find((r) => STARTING.has(r))}`;
  if (status.phase !== 'Pending') return undefined;
  if (waiting.length > 0) return undefined; // ImagePullBackOff, ErrImagePull, CreateContainerConfigError…: stays until fixed
  const scheduled = list(status.conditions).find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') return undefined;
  return `pod ${name} is Pending`;
}

function jobTransition(name: string, job: KubeObject): string | undefined {
  const status = record(job.status);
  const finished = list(status.conditions).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  return !finished && typeof status.active === 'number' && status.active > 0 ? `job ${name} has ${status.active} active pod(s)` : undefined;
}

/** Why an object is still changing by itself, or undefined when it is settled. */
export function objectTransition(object: KubeObject): string | undefined {
  const kind = object.kind ?? '';
  const name = object.metadata?.name ?? '?';
  if (object.metadata?.['deletionTimestamp']) return `${kind.toLowerCase() || 'object'} ${name} is being deleted`;
  switch (kind) {
    case 'Pod':
      return podTransition(name, object);
    case 'Job':
      return jobTransition(name, object);
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet': {
      const deadline = list(record(object.status).conditions).some((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
      const rollout = rolloutStatus(kind, object);
      return rollout.done || deadline ? undefined : rollout.message;
    }
    case 'Namespace':
      return record(object.status).phase === 'Terminating' ? `namespace ${name} is terminating` : undefined;
    default:
      return undefined;
  }
}

const versions = (objects: readonly KubeObject[] | undefined): string =>
  (objects ?? []).map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}@${String(o.metadata?.['resourceVersion'] ?? '')}`).sort().join(',');

/**
 * Whether an interactive Check should try a failing check again, and why (for logs and tests).
 * `previous` is the attempt before `current`; `elapsedMs` counts from the first attempt.
 */
export function convergingReason(previous: Attempt | undefined, current: Attempt, elapsedMs: number): string | undefined {
  if (elapsedMs < SETTLE_GRACE_MS) return 'just pressed: the cluster may lag the last command';
  const moving = (current.objects ?? []).map(objectTransition).find((r) => r !== undefined);
  if (moving) return moving;
  if (previous) {
    const before = previous.verdict;
    const now = current.verdict;
    if (before.actual !== now.actual || before.message !== now.message) return 'the observed value changed since the last attempt';
    if (versions(previous.objects) !== versions(current.objects)) return 'an object the check reads changed since the last attempt';
  }
  return undefined;
}

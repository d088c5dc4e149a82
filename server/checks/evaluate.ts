// The check engine: evaluates a step's checks against an attendee's cluster when they press Check
// (and for `kubelab test`). It gathers what each check needs through ClusterReader/ScriptRunner,
// hands it to the pure judge, and turns every failure mode (missing object, Forbidden, timeout,
// unreachable cluster) into a failed result with its own message: nothing escapes to the caller.
//
// Timing: each attempt has the check's `timeout`; a failed check is re-evaluated every
// POLL_INTERVAL_MS, never past `retryFor` after the first attempt. With `retry: true` (kubelab test
// after a solution) it waits until it passes or retryFor is up; with `retry: 'converging'` (an
// attendee's Check) it stops as soon as the cluster holds still and is still wrong (convergence.ts).
import { ClusterReadError } from './cluster-reader.js';
import { type Attempt, convergingReason } from './convergence.js';
import type { AccessQuestion, ClusterReader, KubeObject } from './cluster-reader.js';
import { curlScript, parseCurlOutcome } from './curl.js';
import { judge } from './judge.js';
import type { Observation, Target, Verdict } from './judge.js';
import { builtinKind } from './kinds.js';
import type { ScriptRunner } from './script-runner.js';
import type { CheckSpec, ProbeSpec } from './spec.js';

/** How often a failing check with `retryFor` is evaluated again. */
export const POLL_INTERVAL_MS = 500;

/** What evaluating checks needs: the attendee's cluster, their toolbox, and how to behave. */
export interface CheckContext {
  reader: ClusterReader;
  runner: ScriptRunner;
  /** Cancels every evaluation in progress, for a closed session or a shutdown. */
  signal?: AbortSignal | undefined;
  /**
   * How a failing check is retried within its `retryFor`: true (the default) until it passes, as
   * `kubelab test` needs after a solution; 'converging' only while the cluster is still moving
   * towards it, as an attendee's Check wants; false not at all (the state right now).
   */
  retry?: boolean | 'converging' | undefined;
  /** Overrides POLL_INTERVAL_MS. */
  pollIntervalMs?: number | undefined;
}

/** The result of one check, as the lesson pane and `kubelab test` show it. */
export interface CheckResult {
  id: string;
  title: string;
  passed: boolean;
  message: string;
  expected?: string;
  actual?: string;
  hint?: string;
  durationMs: number;
  attempts: number;
}

/** "500ms", "5s", "2m" again, for messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000 || ms % 60_000 !== 0) return `${Number((ms / 1000).toFixed(1))}s`;
  return `${ms / 60_000}m`;
}

function apiVersionOf(resource: { apiVersion?: string | undefined; kind: string }): string {
  const apiVersion = resource.apiVersion ?? builtinKind(resource.kind)?.apiVersion;
  if (apiVersion === undefined) throw new ClusterReadError('invalid', `kind ${resource.kind} needs an apiVersion in the check`);
  return apiVersion;
}

type ObjectsSpec = Extract<ProbeSpec, { kind: 'exists' | 'absent' | 'field' | 'count' | 'condition' | 'rollout' }>;

async function observeObjects(spec: ObjectsSpec, reader: ClusterReader, signal: AbortSignal): Promise<Observation> {
  const resource: { apiVersion?: string | undefined; kind: string; namespace?: string | undefined; name?: string | undefined; labelSelector?: string | undefined; fieldSelector?: string | undefined } =
    spec.resource;
  const apiVersion = apiVersionOf(resource);
  const info = await reader.kindInfo(apiVersion, resource.kind, { signal });
  const namespace = info.namespaced ? (resource.namespace ?? 'default') : undefined;
  const target: Target = {
    kind: resource.kind,
    namespace,
    name: resource.name,
    labelSelector: resource.labelSelector,
    fieldSelector: resource.fieldSelector,
  };
  let objects: KubeObject[];
  if (resource.name !== undefined) {
    const object = await reader.get({ apiVersion, kind: resource.kind, name: resource.name, namespace }, { signal });
    objects = object ? [object] : [];
  } else {
    objects = await reader.list({ apiVersion, kind: resource.kind, namespace, labelSelector: resource.labelSelector, fieldSelector: resource.fieldSelector }, { signal });
  }
  return { type: 'objects', target, objects };
}

/** The SubjectAccessReview a `can` check asks; users and service accounts count as authenticated, as under `kubectl --as`. */
export function accessQuestion(spec: Extract<ProbeSpec, { kind: 'can' }>): AccessQuestion {
  const groups = new Set(spec.as.groups ?? []);
  let user = spec.as.user;
  if (spec.as.serviceAccount !== undefined) {
    const [namespace = '', name = ''] = spec.as.serviceAccount.split('/');
    user = `system:serviceaccount:${namespace}:${name}`;
    groups.add('system:serviceaccounts');
    groups.add(`system:serviceaccounts:${namespace}`);
  }
  if (user !== undefined) groups.add('system:authenticated');
  return {
    user,
    groups: [...groups],
    verb: spec.verb,
    group: spec.resource.group ?? '',
    resource: spec.resource.resource,
    subresource: spec.resource.subresource,
    namespace: spec.resource.namespace,
    name: spec.resource.name,
  };
}

async function observe(spec: ProbeSpec, ctx: CheckContext, signal: AbortSignal): Promise<Observation | Verdict> {
  switch (spec.kind) {
    case 'can':
      return { type: 'access', answer: await ctx.reader.reviewAccess(accessQuestion(spec), { signal }) };
    case 'http': {
      if (spec.service) {
        const target = { namespace: spec.service.namespace ?? 'default', name: spec.service.name, port: spec.service.port };
        const path = spec.path ?? '/';
        const request = `GET ${path} on service ${target.name}:${target.port}${target.namespace === 'default' ? '' : ` in namespace ${target.namespace}`}`;
        return { type: 'http', request, answer: await ctx.reader.proxyGet(target, path, { signal }) };
      }
      const url = spec.url ?? '';
      const outcome = parseCurlOutcome(await ctx.runner.run(curlScript(url, spec.timeout), { timeoutMs: spec.timeout, signal }));
      if ('error' in outcome) return { passed: false, message: `GET ${url} got no answer: ${outcome.error}`, expected: String(spec.expect.status), actual: 'no answer' };
      return { type: 'http', request: `GET ${url}`, answer: outcome.answer };
    }
    case 'script':
      return { type: 'script', outcome: await ctx.runner.run(spec.run, { timeoutMs: spec.timeout, signal }) };
    default:
      return observeObjects(spec, ctx.reader, signal);
  }
}

function timeoutMessage(spec: ProbeSpec): string {
  const limit = formatDuration(spec.timeout);
  if (spec.kind === 'script') return `the script did not finish within ${limit}`;
  if (spec.kind === 'http') return `no HTTP answer within ${limit}`;
  return `the cluster did not answer within ${limit}; it may be busy or still starting, press Check again in a moment`;
}

function failureVerdict(error: unknown): Verdict {
  if (error instanceof ClusterReadError) return { passed: false, message: error.message };
  const detail = error instanceof Error ? error.message : String(error);
  return { passed: false, message: `the check could not run: ${detail}` };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

const CANCELLED: Verdict = { passed: false, message: 'the check was cancelled before it finished' };

/** One evaluation of a check or hint condition within its timeout; never throws. */
export async function evaluateOnce(spec: ProbeSpec, ctx: CheckContext): Promise<Verdict> {
  return (await attemptOnce(spec, ctx)).verdict;
}

// evaluateOnce, keeping the objects it read for the convergence decision.
async function attemptOnce(spec: ProbeSpec, ctx: CheckContext): Promise<Attempt> {
  if (ctx.signal?.aborted) return { verdict: CANCELLED };
  const controller = new AbortController();
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, controller.signal]) : controller.signal;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Attempt>((resolve) => {
    timer = setTimeout(() => resolve({ verdict: { passed: false, message: timeoutMessage(spec), actual: 'timed out' } }), spec.timeout);
  });
  let onAbort = (): void => {};
  const cancelled = new Promise<Attempt>((resolve) => {
    onAbort = () => resolve({ verdict: CANCELLED });
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
  });
  const judged = (async (): Promise<Attempt> => {
    try {
      const observation = await observe(spec, ctx, signal);
      if (!('type' in observation)) return { verdict: observation };
      return { verdict: judge(spec, observation), ...(observation.type === 'objects' && { objects: observation.objects }) };
    } catch (error) {
      return { verdict: failureVerdict(error) };
    }
  })();
  try {
    return await Promise.race([judged, timedOut, cancelled]);
  } finally {
    clearTimeout(timer);
    ctx.signal?.removeEventListener('abort', onAbort);
    controller.abort();
  }
}

async function findHint(spec: CheckSpec, ctx: CheckContext): Promise<string | undefined> {
  if (spec.hints?.length) {
    const verdicts = await Promise.all(spec.hints.map((hint) => evaluateOnce(hint.when, ctx)));
    const index = verdicts.findIndex((v) => v.passed);
    if (index !== -1) return spec.hints[index]?.text;
  }
  return spec.hint;
}

/** Evaluates one check, retrying within `retryFor` as `ctx.retry` says, and picks the hint for a failure. */
export async function evaluateCheck(spec: CheckSpec, ctx: CheckContext): Promise<CheckResult> {
  const started = performance.now();
  const window = ctx.retry === false ? 0 : spec.retryFor;
  const interval = ctx.pollIntervalMs ?? POLL_INTERVAL_MS;
  let attempts = 0;
  let verdict: Verdict;
  let previous: Attempt | undefined;
  for (;;) {
    attempts += 1;
    const attempt = await attemptOnce(spec, ctx);
    verdict = attempt.verdict;
    if (verdict.passed || ctx.signal?.aborted) break;
    const remaining = started + window - performance.now();
    if (remaining <= 0) break;
    if (ctx.retry === 'converging' && convergingReason(previous, attempt, performance.now() - started) === undefined) break;
    previous = attempt;
    await sleep(Math.min(interval, remaining), ctx.signal);
    if (ctx.signal?.aborted) break;
  }
  const hint = verdict.passed || ctx.signal?.aborted ? undefined : await findHint(spec, ctx);
  return {
    id: spec.id,
    title: spec.title,
    passed: verdict.passed,
    message: verdict.message,
    ...(verdict.expected !== undefined && { expected: verdict.expected }),
    ...(verdict.actual !== undefined && { actual: verdict.actual }),
    ...(hint !== undefined && { hint }),
    durationMs: Math.round(performance.now() - started),
    attempts,
  };
}

/** Evaluates a step's checks concurrently; results come back in the order of the checks. */
export function evaluateChecks(specs: readonly CheckSpec[], ctx: CheckContext): Promise<CheckResult[]> {
  return Promise.all(specs.map((spec) => evaluateCheck(spec, ctx)));
}

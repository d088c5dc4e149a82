// Pure judging: given a check and what was observed in the cluster, did it pass, and what should
// the attendee read? No I/O here; evaluate.ts gathers the observation, this decides.
import type { AccessAnswer, HttpAnswer, KubeObject } from './cluster-reader.js';
import { compare, describeExpectation } from './compare.js';
import { evaluateJsonPath, jsonPathText } from './json-path.js';
import { rolloutStatus } from './rollout.js';
import type { ScriptOutcome } from './script-runner.js';
import type { ProbeSpec } from './spec.js';

/** The outcome of judging one observation. */
export interface Verdict {
  passed: boolean;
  message: string;
  expected?: string;
  actual?: string;
}

/** Which objects a check asked about, with its namespace resolved (undefined: cluster-scoped or all). */
export interface Target {
  kind: string;
  namespace?: string | undefined;
  name?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
}

/** What evaluate.ts saw in the cluster for one check. */
export type Observation =
  | { type: 'objects'; target: Target; objects: KubeObject[] }
  | { type: 'access'; answer: AccessAnswer }
  | { type: 'http'; request: string; answer: HttpAnswer }
  | { type: 'script'; outcome: ScriptOutcome };

/** The most output of a script or body of a response a message quotes. */
export const MESSAGE_OUTPUT_LIMIT = 2000;
const LISTED_OBJECTS = 3;

function plural(kind: string): string {
  const word = kind.toLowerCase();
  if (word.endsWith('s')) return `${word}es`;
  if (word.endsWith('y') && !/[aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}

function where(target: Target): string {
  return target.namespace === undefined ? '' : ` in namespace ${target.namespace}`;
}

function noun(kind: string, count: number): string {
  return count === 1 ? kind.toLowerCase() : plural(kind);
}

function selection(target: Target, count = 2): string {
  const parts = [target.labelSelector, target.fieldSelector].filter((s): s is string => s !== undefined);
  return `${noun(target.kind, count)} matching ${parts.join(' and ')}`;
}

/** "pod web" or "pod web in namespace shop": how messages name one object. */
export function describeObject(kind: string, object: KubeObject | string, defaultNamespace = 'default'): string {
  const name = typeof object === 'string' ? object : (object.metadata?.name ?? '?');
  const namespace = typeof object === 'string' ? undefined : object.metadata?.namespace;
  const suffix = namespace !== undefined && namespace !== defaultNamespace ? ` in namespace ${namespace}` : '';
  return `${kind.toLowerCase()} ${name}${suffix}`;
}

function names(objects: KubeObject[]): string {
  const listed = objects.slice(0, LISTED_OBJECTS).map((o) => o.metadata?.name ?? '?');
  const more = objects.length > LISTED_OBJECTS ? ` and ${objects.length - LISTED_OBJECTS} more` : '';
  return `${listed.join(', ')}${more}`;
}

function noneFound(target: Target): Verdict {
  const message =
    target.name !== undefined
      ? `${target.kind.toLowerCase()} ${target.name} does not exist${where(target)}`
      : `no ${selection(target)}${where(target)}`;
  return { passed: false, message, actual: 'not found' };
}

function judgeExists(observation: { target: Target; objects: KubeObject[] }): Verdict {
  const { target, objects } = observation;
  if (objects.length === 0) return { ...noneFound(target), expected: 'exists' };
  if (target.name !== undefined) return { passed: true, message: `${target.kind.toLowerCase()} ${target.name} exists${where(target)}` };
  return { passed: true, message: `found ${objects.length} ${selection(target, objects.length)}${where(target)}: ${names(objects)}` };
}

function judgeAbsent(observation: { target: Target; objects: KubeObject[] }): Verdict {
  const { target, objects } = observation;
  if (objects.length === 0) {
    const message = target.name !== undefined ? `${target.kind.toLowerCase()} ${target.name} is gone${where(target)}` : `no ${selection(target)} left${where(target)}`;
    return { passed: true, message };
  }
  if (target.name !== undefined) {
    const terminating = objects[0]?.metadata?.deletionTimestamp !== undefined ? ' (it is terminating)' : '';
    return { passed: false, message: `${target.kind.toLowerCase()} ${target.name} still exists${where(target)}${terminating}`, expected: 'absent', actual: 'exists' };
  }
  return {
    passed: false,
    message: `${objects.length} ${selection(target, objects.length)} still ${objects.length === 1 ? 'exists' : 'exist'}${where(target)}: ${names(objects)}`,
    expected: 'none',
    actual: String(objects.length),
  };
}

function pathLabel(path: string): string {
  const trimmed = path.trim();
  return trimmed.startsWith('{') && trimmed.endsWith('}') ? trimmed.slice(1, -1) : trimmed;
}

function judgeField(spec: Extract<ProbeSpec, { kind: 'field' }>, observation: { target: Target; objects: KubeObject[] }): Verdict {
  const { target, objects } = observation;
  if (objects.length === 0) return { ...noneFound(target), expected: describeExpectation(spec) };
  const label = pathLabel(spec.path);
  const judged = objects.map((object) => {
    const values = evaluateJsonPath(spec.path, object);
    const text = jsonPathText(values);
    return { object, values, text, ...compare(text, spec) };
  });
  const failed = judged.filter((j) => !j.passed);
  const first = judged[0]!;
  const phrase = (j: (typeof judged)[number]): string =>
    j.values.length === 0 ? `${describeObject(target.kind, j.object)} has no ${label}` : `${describeObject(target.kind, j.object)}: ${label} is ${j.text === '' ? 'empty' : j.text}`;
  if (failed.length === 0) {
    const message = objects.length === 1 ? phrase(first) : `all ${objects.length} ${selection(target)}${where(target)} have ${label} ${first.expected}`;
    return { passed: true, message, expected: first.expected, actual: first.text };
  }
  const worst = failed[0]!;
  const others = failed.length > 1 ? ` (and ${failed.length - 1} more of the ${objects.length} ${selection(target)})` : '';
  return {
    passed: false,
    message: `${phrase(worst)}, expected ${worst.expected}${others}`,
    expected: worst.expected,
    actual: worst.values.length === 0 ? '(none)' : worst.text,
  };
}

function judgeCount(spec: Extract<ProbeSpec, { kind: 'count' }>, observation: { target: Target; objects: KubeObject[] }): Verdict {
  const { target, objects } = observation;
  const counted = spec.where ? objects.filter((o) => compare(jsonPathText(evaluateJsonPath(spec.where!.path, o)), spec.where!).passed) : objects;
  const condition = spec.where ? ` with ${pathLabel(spec.where.path)} ${describeExpectation(spec.where)}` : '';
  const what = target.labelSelector !== undefined || target.fieldSelector !== undefined ? selection(target, counted.length) : noun(target.kind, counted.length);
  const scope = where(target);
  const { passed, expected } = compare(String(counted.length), spec);
  const listed = counted.length > 0 && counted.length <= LISTED_OBJECTS ? ` (${names(counted)})` : '';
  const message = `found ${counted.length} ${what}${condition}${scope}${listed}${passed ? '' : `, expected ${expected}`}`;
  return { passed, message, expected, actual: String(counted.length) };
}

function conditionsOf(object: KubeObject): Array<Record<string, unknown>> {
  const status = object.status as { conditions?: unknown } | undefined;
  return Array.isArray(status?.conditions) ? (status.conditions as Array<Record<string, unknown>>) : [];
}

function judgeCondition(spec: Extract<ProbeSpec, { kind: 'condition' }>, observation: { target: Target; objects: KubeObject[] }): Verdict {
  const { target, objects } = observation;
  const expected = `${spec.type}=${spec.status}`;
  if (objects.length === 0) return { ...noneFound(target), expected };
  const judged = objects.map((object) => {
    const condition = conditionsOf(object).find((c) => c.type === spec.type);
    const status = typeof condition?.status === 'string' ? condition.status : undefined;
    const why = [condition?.reason, condition?.message].filter((s): s is string => typeof s === 'string' && s !== '').join(': ');
    return { object, status, why, passed: status === spec.status };
  });
  const failed = judged.find((j) => !j.passed);
  if (!failed) {
    const message =
      objects.length === 1
        ? `${describeObject(target.kind, objects[0]!)} has ${expected}`
        : `all ${objects.length} ${selection(target)}${where(target)} have ${expected}`;
    return { passed: true, message, expected, actual: expected };
  }
  const count = judged.filter((j) => !j.passed).length;
  const others = count > 1 ? ` (and ${count - 1} more of the ${objects.length} ${selection(target)})` : '';
  const name = describeObject(target.kind, failed.object);
  const message =
    failed.status === undefined
      ? `${name} has no ${spec.type} condition yet, expected ${expected}${others}`
      : `${name} has ${spec.type}=${failed.status}${failed.why ? ` (${failed.why})` : ''}, expected ${expected}${others}`;
  return { passed: false, message, expected, actual: failed.status === undefined ? '(none)' : `${spec.type}=${failed.status}` };
}

function judgeRollout(spec: Extract<ProbeSpec, { kind: 'rollout' }>, observation: { target: Target; objects: KubeObject[] }): Verdict {
  const object = observation.objects[0];
  if (!object) return { ...noneFound(observation.target), expected: 'rolled out' };
  const status = rolloutStatus(spec.resource.kind, object);
  return { passed: status.done, message: status.message, expected: 'rolled out', actual: status.done ? 'rolled out' : 'in progress' };
}

function describeSubject(spec: Extract<ProbeSpec, { kind: 'can' }>): string {
  if (spec.as.serviceAccount !== undefined) return `service account ${spec.as.serviceAccount}`;
  if (spec.as.user !== undefined) return spec.as.groups ? `${spec.as.user} (groups ${spec.as.groups.join(', ')})` : spec.as.user;
  return `groups ${spec.as.groups?.join(', ') ?? ''}`;
}

function describeAction(spec: Extract<ProbeSpec, { kind: 'can' }>): string {
  const r = spec.resource;
  const resource = `${r.resource}${r.subresource ? `/${r.subresource}` : ''}${r.group ? ` (group ${r.group})` : ''}`;
  const object = r.name ? ` named ${r.name}` : '';
  const scope = r.namespace ? ` in namespace ${r.namespace}` : ' cluster-wide';
  return `${spec.verb} ${resource}${object}${scope}`;
}

function judgeAccess(spec: Extract<ProbeSpec, { kind: 'can' }>, answer: AccessAnswer): Verdict {
  const actual = answer.allowed ? 'allowed' : 'denied';
  const passed = actual === spec.expect;
  const why = answer.reason ? ` (${answer.reason})` : answer.evaluationError ? ` (${answer.evaluationError})` : '';
  const message = `${describeSubject(spec)} ${answer.allowed ? 'can' : 'cannot'} ${describeAction(spec)}${why}${passed ? '' : `, expected ${spec.expect}`}`;
  return { passed, message, expected: spec.expect, actual };
}

/** Shortens text for a message, keeping the start, and says how much was left out. */
export function clip(text: string, limit = MESSAGE_OUTPUT_LIMIT): string {
  const trimmed = text.trim();
  return trimmed.length <= limit ? trimmed : `${trimmed.slice(0, limit)}… (${trimmed.length - limit} more characters)`;
}

function judgeHttp(spec: Extract<ProbeSpec, { kind: 'http' }>, request: string, answer: HttpAnswer): Verdict {
  const expectedStatus = spec.expect.status;
  const expected = `${expectedStatus}${spec.expect.bodyMatches !== undefined ? ` with a body matching /${spec.expect.bodyMatches}/` : ''}`;
  if (answer.status !== expectedStatus) {
    const body = clip(answer.body, 200);
    return {
      passed: false,
      message: `${request} answered ${answer.status}, expected ${expectedStatus}${body ? `; the body begins: ${body}` : ''}`,
      expected,
      actual: String(answer.status),
    };
  }
  if (spec.expect.bodyMatches !== undefined && !new RegExp(spec.expect.bodyMatches).test(answer.body)) {
    const body = clip(answer.body, 200);
    return {
      passed: false,
      message: `${request} answered ${answer.status}, but the body does not match /${spec.expect.bodyMatches}/; it ${body ? `begins: ${body}` : 'is empty'}`,
      expected,
      actual: `${answer.status} ${clip(answer.body, 80)}`,
    };
  }
  return { passed: true, message: `${request} answered ${answer.status}`, expected, actual: String(answer.status) };
}

function judgeScript(outcome: ScriptOutcome): Verdict {
  const output = clip(outcome.output);
  const passed = outcome.exitCode === 0;
  const message = output !== '' ? output : passed ? 'the script exited 0' : `the script exited ${outcome.exitCode}`;
  return { passed, message, expected: 'exit 0', actual: `exit ${outcome.exitCode}` };
}

/** Judges one check against what was observed for it. */
export function judge(spec: ProbeSpec, observation: Observation): Verdict {
  switch (observation.type) {
    case 'objects':
      switch (spec.kind) {
        case 'exists':
          return judgeExists(observation);
        case 'absent':
          return judgeAbsent(observation);
        case 'field':
          return judgeField(spec, observation);
        case 'count':
          return judgeCount(spec, observation);
        case 'condition':
          return judgeCondition(spec, observation);
        case 'rollout':
          return judgeRollout(spec, observation);
        default:
          break;
      }
      break;
    case 'access':
      if (spec.kind === 'can') return judgeAccess(spec, observation.answer);
      break;
    case 'http':
      if (spec.kind === 'http') return judgeHttp(spec, observation.request, observation.answer);
      break;
    case 'script':
      if (spec.kind === 'script') return judgeScript(observation.outcome);
      break;
  }
  throw new Error(`a ${spec.kind} check cannot be judged from a ${observation.type} observation; this is a bug in kubelab`);
}

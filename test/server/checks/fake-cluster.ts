// A ClusterReader over recorded objects, for unit tests of the engine: selects like the API server
// does for the equality selectors the tests use, records calls, and can fail or stall on demand.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AccessAnswer, AccessQuestion, ClusterReader, HttpAnswer, KindInfo, KubeObject, ListQuery, ObjectRef, ReadOptions, ServiceTarget } from '../../../server/checks/cluster-reader.js';
import { ClusterReadError } from '../../../server/checks/cluster-reader.js';
import { builtinKind } from '../../../server/checks/kinds.js';
import type { ScriptOutcome, ScriptRunner } from '../../../server/checks/script-runner.js';

/** A recorded object from fixtures/, as a fresh copy the test may change. */
export function fixture(name: string): KubeObject {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`fixtures/${name}.json`, import.meta.url)), 'utf8')) as KubeObject;
}

function labelsMatch(object: KubeObject, selector: string): boolean {
  const labels = object.metadata?.labels ?? {};
  return selector.split(',').every((term) => {
    const [key = '', value] = term.split(/!?=/);
    if (term.includes('!=')) return labels[key] !== value;
    if (value !== undefined) return labels[key] === value;
    return term.startsWith('!') ? !(term.slice(1) in labels) : key in labels;
  });
}

function fieldsMatch(object: KubeObject, selector: string): boolean {
  return selector.split(',').every((term) => {
    const [path = '', value] = term.split('=');
    const actual = path.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), object);
    return String(actual) === value;
  });
}

/** How the fake answers one kind of request. */
type Behaviour = { error?: ClusterReadError; stallMs?: number };

export class FakeCluster implements ClusterReader {
  objects: KubeObject[] = [];
  customKinds = new Map<string, KindInfo>();
  access: (question: AccessQuestion) => AccessAnswer = () => ({ allowed: false });
  http: (target: ServiceTarget, path: string) => HttpAnswer = () => ({ status: 503, body: 'no endpoints available for service' });
  behaviour: Behaviour = {};
  calls: string[] = [];

  constructor(objects: KubeObject[] = []) {
    this.objects = objects;
  }

  private async answer<T>(call: string, options: ReadOptions | undefined, value: () => T): Promise<T> {
    this.calls.push(call);
    if (this.behaviour.stallMs !== undefined) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, this.behaviour.stallMs);
        options?.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new ClusterReadError('timeout', 'aborted'));
        });
      });
    }
    if (this.behaviour.error) throw this.behaviour.error;
    return value();
  }

  kindInfo(apiVersion: string, kind: string, options?: ReadOptions): Promise<KindInfo> {
    return this.answer(`kindInfo ${apiVersion} ${kind}`, options, () => {
      const builtin = builtinKind(kind);
      if (builtin && builtin.apiVersion === apiVersion) return { resource: `${kind.toLowerCase()}s`, namespaced: builtin.namespaced };
      const custom = this.customKinds.get(`${apiVersion} ${kind}`);
      if (!custom) throw new ClusterReadError('unknown-kind', `the cluster serves no kind ${kind} in ${apiVersion}`);
      return custom;
    });
  }

  get(ref: ObjectRef, options?: ReadOptions): Promise<KubeObject | undefined> {
    return this.answer(`get ${ref.kind} ${ref.namespace ?? '-'}/${ref.name}`, options, () =>
      this.objects.find((o) => o.apiVersion === ref.apiVersion && o.kind === ref.kind && o.metadata?.name === ref.name && (ref.namespace === undefined || o.metadata?.namespace === ref.namespace)),
    );
  }

  list(query: ListQuery, options?: ReadOptions): Promise<KubeObject[]> {
    return this.answer(`list ${query.kind} ${query.namespace ?? '*'} ${query.labelSelector ?? ''} ${query.fieldSelector ?? ''}`.trim(), options, () =>
      this.objects.filter(
        (o) =>
          o.apiVersion === query.apiVersion &&
          o.kind === query.kind &&
          (query.namespace === undefined || o.metadata?.namespace === query.namespace) &&
          (query.labelSelector === undefined || labelsMatch(o, query.labelSelector)) &&
          (query.fieldSelector === undefined || fieldsMatch(o, query.fieldSelector)),
      ),
    );
  }

  reviewAccess(question: AccessQuestion, options?: ReadOptions): Promise<AccessAnswer> {
    return this.answer(`review ${question.user ?? ''} ${question.verb} ${question.resource}`, options, () => this.access(question));
  }

  proxyGet(target: ServiceTarget, path: string, options?: ReadOptions): Promise<HttpAnswer> {
    return this.answer(`proxy ${target.namespace}/${target.name}:${target.port}${path}`, options, () => this.http(target, path));
  }
}

/** A ScriptRunner that answers from a function and records the scripts it was given. */
export class FakeRunner implements ScriptRunner {
  scripts: string[] = [];
  constructor(private readonly answer: (script: string) => ScriptOutcome | Promise<ScriptOutcome> = () => ({ exitCode: 0, output: '' })) {}
  async run(script: string): Promise<ScriptOutcome> {
    this.scripts.push(script);
    return this.answer(script);
  }
}

// Stand-ins for kind, Docker and the cluster, shared by the session manager's unit tests and the
// app's integration tests: every call is recorded, check results are set by the test.
import type { CheckResult } from '../../../server/checks/evaluate.js';
import type { ClusterInfo, ClusterSpec } from '../../../server/clusters/provider.js';
import type { Setup } from '../../../server/lessons/load.js';
import type { Clock, SessionClusterProvider, SessionEnvironment, SessionToolbox, ToolboxHost } from '../../../server/sessions/session-manager.js';

/** A clock moved by hand; `every` callbacks run only when the test calls tick(). */
export class FakeClock implements Clock {
  private readonly timers = new Set<() => void>();
  constructor(public time = 1_000_000) {}
  now(): number {
    return this.time;
  }
  every(_ms: number, fn: () => void) {
    this.timers.add(fn);
    return { dispose: () => this.timers.delete(fn) };
  }
  advance(ms: number): void {
    this.time += ms;
    for (const fn of this.timers) fn();
  }
}

/** Clusters in a Map instead of Docker. */
export class FakeProvider implements SessionClusterProvider {
  readonly clusters = new Map<string, ClusterInfo>();
  readonly created: ClusterSpec[] = [];
  readonly deleted: string[] = [];
  readonly loaded: { name: string; images: string[] }[] = [];
  async create(spec: ClusterSpec, options: { onProgress?: (p: { phase: 'creating'; message: string }) => void } = {}): Promise<ClusterInfo> {
    options.onProgress?.({ phase: 'creating', message: `creating ${spec.name}` });
    const info = { name: spec.name, network: spec.name, nodes: [`${spec.name}-control-plane`], labels: { 'dev.kubelab.owner': spec.owner ?? 'kubelab' } };
    this.created.push(spec);
    this.clusters.set(spec.name, info);
    return info;
  }
  async delete(name: string): Promise<void> {
    this.deleted.push(name);
    this.clusters.delete(name);
  }
  async list(filter: { prefix: string; owner?: string }): Promise<ClusterInfo[]> {
    return [...this.clusters.values()].filter((c) => c.name.startsWith(filter.prefix) && (!filter.owner || c.labels['dev.kubelab.owner'] === filter.owner));
  }
  async kubeconfig(name: string, kind: 'external' | 'internal'): Promise<string> {
    return `kubeconfig ${kind} ${name}`;
  }
  async loadImages(name: string, images: string[]): Promise<void> {
    this.loaded.push({ name, images });
  }
}

/** Toolboxes as names; scripts succeed unless `failing` says otherwise. */
export class FakeToolboxes implements ToolboxHost {
  readonly running = new Set<string>();
  readonly removed: string[] = [];
  /** Scripts run through exec, with the toolbox that ran them. */
  readonly executed: { toolbox: string; script: string }[] = [];
  async start(spec: { name: string }): Promise<SessionToolbox> {
    this.running.add(spec.name);
    return this.attach(spec.name);
  }
  attach(name: string): SessionToolbox {
    return {
      name,
      exec: async (script: string) => {
        this.executed.push({ toolbox: name, script });
        return { exitCode: 0, output: '' };
      },
      shellCommand: () => ['docker', ['exec', '-it', name, 'bash', '-l']],
      dispose: async () => void this.running.delete(name),
    };
  }
  async list(): Promise<string[]> {
    return [...this.running];
  }
  async remove(name: string): Promise<void> {
    this.removed.push(name);
    this.running.delete(name);
  }
}

/** What the fake environment was asked to do, in order. */
export class FakeEnvironments {
  readonly calls: string[] = [];
  failSolutions = false;
  create = async (): Promise<SessionEnvironment> => ({
    applySetup: async (setup: Setup) => void this.calls.push(`setup ${setup.manifests.join(',')}${setup.script ? ' script' : ''}`),
    runScript: async (script: string) => {
      this.calls.push(`run ${script.split('\n')[0]}`);
      return this.failSolutions ? { exitCode: 1, output: 'boom' } : { exitCode: 0, output: '' };
    },
    reset: async () => void this.calls.push('reset'),
  });
}

/** Check results the test decides: every check passes while `passing` is true. */
export class FakeChecks {
  passing = false;
  built: string[] = [];
  create = (kubeconfig: string) => {
    this.built.push(kubeconfig);
    return async (specs: readonly { id: string; title: string }[]): Promise<CheckResult[]> =>
      specs.map((s) => ({ id: s.id, title: s.title, passed: this.passing, message: this.passing ? 'ok' : 'not yet', durationMs: 1, attempts: 1 }));
  };
}

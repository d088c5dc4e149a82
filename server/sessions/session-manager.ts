// Sessions: one per attendee and lab, each owning a kind cluster and a toolbox container on that
// cluster's network. The manager starts them (a warm cluster when the lab's shape allows, else a
// cold one with progress), runs Check, steps, reset and jump through the lab environment, records
// progress in the Store, ends sessions that expire or go idle, and after a restart re-adopts the
// sessions whose cluster survived while removing anything else kubelab left behind.
import { randomBytes } from 'node:crypto';
import type { EndReason, LabProgress, LabReady, SessionTimer, ClusterStatus, CheckReply, StepReply } from '../../protocol/lab.js';
import { type CheckResult, evaluateChecks } from '../checks/evaluate.js';
import { KubeClusterReader } from '../checks/kube-cluster-reader.js';
import type { CheckSpec } from '../checks/spec.js';
import { ClusterCommandError } from '../clusters/command.js';
import type { ClusterInfo, ClusterProvider, ClusterSpec } from '../clusters/provider.js';
import { labClusterShape, labelControlPlane } from '../lessons/cluster-shape.js';
import type { Lab, Setup } from '../lessons/load.js';
import type { Store } from '../store/store.js';
import { Toolbox } from '../toolboxes/toolbox.js';
import { ClusterLabEnvironment, type CheckEvaluator } from './lab-environment.js';
import { type PoolStatus, WarmPool } from './pool.js';
import { type GateState, resumeStep, stepRefusal } from './session-manager/gating.js';
import { coldStartRoom, poolCapacity, seatRefusal } from './session-manager/seats.js';
import { HEALTH_INTERVAL_MS, type HealthObservation, judgeHealth, lostMessage } from './session-manager/cluster-health.js';
import { SWEEP_INTERVAL_MS, decideLifetime, extendedExpiry, sessionDeadline } from './session-manager/lifetime.js';
import type { SessionToolbox, ToolboxHost } from './session-manager/toolbox-host.js';

export { decideLifetime, extendedExpiry, sessionDeadline, SWEEP_INTERVAL_MS, WARN_BEFORE_MS } from './session-manager/lifetime.js';
export { resumeStep, stepRefusal, type GateState } from './session-manager/gating.js';
export { dockerToolboxHost, type SessionToolbox, type ToolboxHost } from './session-manager/toolbox-host.js';
export { probeHost, type HostReadiness, type Probe } from './session-manager/host-readiness.js';
export { coldStartRoom, defaultMaxSessions, poolCapacity, seatRefusal } from './session-manager/seats.js';
export { dockerHealthProbe, dockerSessionHealth, judgeHealth, lostMessage, type HealthObservation } from './session-manager/cluster-health.js';

/** Tries at creating a session's cluster before the attendee is told it failed. */
export const CREATE_ATTEMPTS = 2;

/** Every cluster a server creates is named with this prefix (and carries its owner label). */
export const CLUSTER_PREFIX = 'kubelab-';

/** A session request that cannot be served; `code` for the page, the message for the attendee. */
export class SessionError extends Error {
  constructor(
    readonly code: 'NO_SUCH_LAB' | 'NO_SUCH_SESSION' | 'NO_SUCH_STEP' | 'STEP_LOCKED' | 'SESSION_BUSY' | 'TOO_EARLY_TO_EXTEND' | 'START_IN_PROGRESS' | 'START_FAILED' | 'SOLUTION_FAILED' | 'SETUP_FAILED' | 'SHUTTING_DOWN' | 'HOST_NOT_READY' | 'NO_SEATS' | 'CLUSTER_LOST' | 'TIME_UP',
    message: string,
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

/** Time, injectable: tests move it by hand. */
export interface Clock {
  now(): number;
  /** Calls fn every ms until disposed. */
  every(ms: number, fn: () => void): { dispose(): void };
}

/** The real clock; its timer does not keep the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    timer.unref();
    return { dispose: () => clearInterval(timer) };
  },
};

/** What the manager does to a session's cluster besides Check. */
export interface SessionEnvironment {
  applySetup(setup: Setup, lessonDir: string): Promise<void>;
  runScript(script: string): Promise<{ exitCode: number; output: string }>;
  reset(): Promise<void>;
}

/** Evaluates a step's checks against one session's cluster. */
export type SessionChecks = (specs: readonly CheckSpec[], options: { signal: AbortSignal }) => Promise<CheckResult[]>;

/** Probes one session's cluster and toolbox (see session-manager/cluster-health.ts). */
export type SessionHealth = () => Promise<HealthObservation>;

/** A cluster provider that can also load images into a running cluster. */
export type SessionClusterProvider = ClusterProvider & { loadImages(name: string, images: string[]): Promise<void> };

/** Something that happened to a session, for the sockets that show it. */
export type SessionEvent =
  | { type: 'timer'; visitorId: string; timer: SessionTimer }
  | { type: 'ended'; visitorId: string; sessionId: string; reason: EndReason; message: string }
  | { type: 'cluster'; visitorId: string; status: ClusterStatus };

/** A terminal's view of a session, found by its token. */
export interface TerminalTarget {
  sessionId: string;
  visitorId: string;
  /** argv of the shell a pty runs. */
  shell: [string, string[]];
  /** Counts as activity (keeps the session from going idle). */
  touch(): void;
}

/** Per-visitor rules that override the server's (a classroom's settings); undefined keeps the server's. */
export interface SessionPolicy {
  gated: boolean;
  sessionMinutes: number;
  /** The highest step the visitor may open (an instructor holds the class there); undefined for no limit. */
  maxStep?: number | undefined;
}

/** Minimal structured logger (pino satisfies it). */
export interface SessionLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** Everything the manager needs; production passes kind, Docker and the real Store. */
export interface SessionManagerOptions {
  provider: SessionClusterProvider;
  store: Store;
  toolboxes: ToolboxHost;
  labs: (slug: string) => Lab | undefined;
  nodeImage: string;
  toolboxImage: string;
  sessionMinutes: number;
  idleMinutes: number;
  gated: boolean;
  /** Warm single-node clusters to keep; 0 for none. */
  poolSize: number;
  /** Sessions (running or starting) at once, warm clusters counted too; undefined for no limit. */
  maxSessions?: number;
  /** Owner label value of everything this server creates. */
  owner?: string;
  clock?: Clock;
  /** Builds the environment of a new or re-adopted session (takes the reset baseline). */
  environment?: (toolbox: SessionToolbox, evaluate: CheckEvaluator) => Promise<SessionEnvironment>;
  /** Builds a session's check function from its external kubeconfig and toolbox. */
  checks?: (kubeconfig: string, toolbox: SessionToolbox) => SessionChecks;
  log?: SessionLog;
  /** Latest terminal input of a session (epoch ms), so typing counts as activity. */
  terminalActivity?: (sessionId: string) => number | undefined;
  /** Builds a session's health probe; without it sessions are not probed (tests, catalog-only servers). */
  health?: (cluster: ClusterInfo, kubeconfig: string, toolbox: SessionToolbox) => SessionHealth;
  /** How often live sessions are probed; HEALTH_INTERVAL_MS by default. */
  healthIntervalMs?: number;
  /** Prefix of new cluster names; CLUSTER_PREFIX by default (must start with it: leftovers are found by it). */
  clusterPrefix?: string;
  /** Rules for one visitor and lab (classrooms); see SessionPolicy. */
  policy?: (visitorId: string, slug: string) => SessionPolicy | undefined;
  /** Keep a warm pool even at poolSize 0, so that setWarmExtra() can pre-warm for a classroom. */
  resizablePool?: boolean;
  /** Images every warm cluster loads ahead (the workloads most labs use), so a start loads only the rest. */
  warmImages?: string[];
}

/** What a session runs on; replaced whole when a lost cluster is recovered. */
interface Provisioned {
  cluster: ClusterInfo;
  toolbox: SessionToolbox;
  checks: SessionChecks;
  environment: SessionEnvironment;
  health: SessionHealth | undefined;
}

/** The default check function: one KubeClusterReader per session, scripts in the toolbox. */
function realChecks(kubeconfig: string, toolbox: SessionToolbox): SessionChecks {
  const reader = KubeClusterReader.fromKubeconfig(kubeconfig);
  const runner = { run: (script: string, o: { timeoutMs: number; signal?: AbortSignal | undefined }) => toolbox.exec(script, { timeoutMs: o.timeoutMs, ...(o.signal && { signal: o.signal }) }) };
  // An attendee's Check reports a settled wrong state at once instead of waiting out retryFor.
  return (specs, { signal }) => evaluateChecks(specs, { reader, runner, retry: 'converging', signal });
}

/** The default environment: ClusterLabEnvironment, which needs the real Toolbox. */
async function realEnvironment(toolbox: SessionToolbox, evaluate: CheckEvaluator): Promise<SessionEnvironment> {
  if (!(toolbox instanceof Toolbox)) throw new Error('the default session environment needs a Docker toolbox; inject `environment` for another kind');
  return ClusterLabEnvironment.create(toolbox, evaluate);
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
/** `{ key: value }` when value is defined, else `{}`; for optional fields under exactOptionalPropertyTypes. */
const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as { [P in K]: V }));
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** One running session: its cluster, toolbox, environment and clock. */
class LabSession {
  readonly abort = new AbortController();
  readonly preparedSteps = new Set<number>();
  warnedFor: number | undefined;
  busy: string | undefined;
  /** Why the cluster is gone, once a probe found it lost; cleared by a replacement. */
  lost: string | undefined;
  /** API probes in a row that got no answer. */
  apiFailures = 0;
  probing = false;

  constructor(
    readonly id: string,
    readonly token: string,
    readonly visitorId: string,
    readonly lab: Lab,
    public parts: Provisioned,
    readonly createdAt: number,
    public expiresAt: number,
    public lastActivityAt: number,
    public step: number,
  ) {}

  get cluster(): string {
    return this.parts.cluster.name;
  }

  get toolbox(): SessionToolbox {
    return this.parts.toolbox;
  }

  get environment(): SessionEnvironment {
    return this.parts.environment;
  }

  get checks(): SessionChecks {
    return this.parts.checks;
  }

  /** Stops what runs in the session (checks, scripts); the cluster is the manager's to delete. */
  dispose(): void {
    this.abort.abort();
  }
}

/** Owns every session of this server. */
export class SessionManager {
  private readonly sessions = new Map<string, LabSession>();
  private readonly starting = new Map<string, { slug: string; promise: Promise<LabReady> }>();
  private readonly teardowns = new Set<Promise<void>>();
  private readonly listeners = new Set<(event: SessionEvent) => void>();
  private readonly clock: Clock;
  private readonly owner: string;
  private readonly pool: WarmPool | undefined;
  private readonly environmentFor: NonNullable<SessionManagerOptions['environment']>;
  private readonly checksFor: NonNullable<SessionManagerOptions['checks']>;
  private sweeper: { dispose(): void } | undefined;
  private prober: { dispose(): void } | undefined;
  private disposed = false;
  /** Warm clusters' toolboxes and wiring, made by warmProvider() while the cluster waits in the pool. */
  private readonly prepared = new Map<string, Provisioned>();

  constructor(private readonly options: SessionManagerOptions) {
    this.clock = options.clock ?? systemClock;
    this.owner = options.owner ?? 'kubelab';
    this.environmentFor = options.environment ?? realEnvironment;
    this.checksFor = options.checks ?? realChecks;
    if (options.poolSize > 0 || options.resizablePool) {
      this.pool = new WarmPool({
        provider: this.warmProvider(),
        size: options.poolSize,
        ...(options.maxSessions !== undefined && { capacity: () => poolCapacity(options.maxSessions ?? 0, this.inUse(), this.pool?.status().target ?? options.poolSize) }), // target: a classroom may have grown it
        spec: (name) => this.clusterSpec(name, options.warmImages?.length ? { preloadImages: [...options.warmImages] } : {}),
        newName: () => this.newClusterName(),
        now: () => this.clock.now(),
        onError: (error) => options.log?.warn({ err: messageOf(error) }, 'warm pool could not create a cluster'),
      });
    }
  }

  /** Seats taken: running sessions and those still starting. */
  private inUse(): number {
    return this.sessions.size + this.starting.size;
  }

  private get sessionMs(): number {
    return this.options.sessionMinutes * 60_000;
  }

  /** Session length for this visitor and lab: their classroom's, else the server's. */
  private sessionMsFor(visitorId: string, slug: string): number {
    return (this.options.policy?.(visitorId, slug)?.sessionMinutes ?? this.options.sessionMinutes) * 60_000;
  }

  private get idleMs(): number {
    return this.options.idleMinutes * 60_000;
  }

  private newClusterName(): string {
    return `${this.options.clusterPrefix ?? CLUSTER_PREFIX}${hex(4)}`;
  }

  private clusterSpec(name: string, shape: Partial<ClusterSpec>): ClusterSpec {
    return { name, image: this.options.nodeImage, owner: this.owner, ...shape };
  }

  /** Subscribes to session events; dispose() unsubscribes. */
  onEvent(listener: (event: SessionEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private emit(event: SessionEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** After a restart: re-adopts live sessions whose cluster exists, removes the rest, starts the sweeps (warmUp() fills the pool). */
  async initialize(): Promise<void> {
    await this.collectGarbage().catch((error: unknown) => this.options.log?.warn({ err: messageOf(error) }, 'could not look for leftover clusters; is Docker running?'));
    this.sweeper = this.clock.every(SWEEP_INTERVAL_MS, () => this.sweep());
    if (this.options.health) this.prober = this.clock.every(this.options.healthIntervalMs ?? HEALTH_INTERVAL_MS, () => void this.probeHealth());
  }

  private async collectGarbage(): Promise<void> {
    const { provider, store, toolboxes } = this.options;
    const clusters = new Map((await provider.list({ prefix: CLUSTER_PREFIX, owner: this.owner })).map((c) => [c.name, c]));
    const now = this.clock.now();
    for (const record of store.liveSessions()) {
      const lab = this.options.labs(record.lab);
      if (!lab || !clusters.has(record.cluster) || record.expiresAt <= now) {
        store.endSession(record.id);
        continue;
      }
      try {
        const cluster = clusters.get(record.cluster) as ClusterInfo;
        const parts = await this.wire(cluster, toolboxes.attach(record.toolbox), 60_000);
        const step = resumeStep(this.gateState(record.visitorId, lab));
        const session = new LabSession(record.id, hex(32), record.visitorId, lab, parts, record.createdAt, record.expiresAt, now, step);
        this.sessions.set(session.id, session);
        this.options.log?.info({ session: session.id, cluster: session.cluster, lab: lab.slug }, 're-adopted session');
      } catch (error) {
        this.options.log?.warn({ session: record.id, err: messageOf(error) }, 'could not re-adopt session; removing it');
        store.endSession(record.id);
      }
    }
    const kept = new Set([...this.sessions.values()].map((s) => s.cluster));
    const keptToolboxes = new Set([...this.sessions.values()].map((s) => s.toolbox.name));
    for (const name of await toolboxes.list(this.owner)) {
      if (!keptToolboxes.has(name)) await toolboxes.remove(name).catch(() => undefined);
    }
    for (const name of clusters.keys()) {
      if (kept.has(name)) continue;
      this.options.log?.info({ cluster: name }, 'deleting a cluster no session owns');
      await provider.delete(name).catch((error: unknown) => this.options.log?.warn({ cluster: name, err: messageOf(error) }, 'could not delete leftover cluster'));
    }
  }

  private gateState(visitorId: string, lab: Lab): GateState {
    return {
      steps: lab.steps.length,
      checkedSteps: new Set(lab.steps.filter((s) => s.checks.length).map((s) => s.number)),
      passedSteps: this.passedSteps(visitorId, lab.slug),
      // A scenario's tasks are independent and may be taken in any order.
      gated: (this.options.policy?.(visitorId, lab.slug)?.gated ?? this.options.gated) && lab.type === 'lesson',
    };
  }

  private passedSteps(visitorId: string, slug: string): Set<number> {
    return new Set(this.options.store.progress(visitorId, slug).filter((p) => p.passedAt !== null).map((p) => p.step));
  }

  private ready(session: LabSession): LabReady {
    return {
      sessionId: session.id,
      sessionToken: session.token,
      slug: session.lab.slug,
      step: session.step,
      passedSteps: [...this.passedSteps(session.visitorId, session.lab.slug)].sort((a, b) => a - b),
      expiresAt: session.expiresAt,
      ...optional('examEndsAt', this.examEndsAt(session)),
    };
  }

  /** When a timed scenario's time is up for this visitor (its run started at their first session). */
  private examEndsAt(session: LabSession): number | undefined {
    const { lab } = session;
    if (lab.type !== 'scenario' || lab.manifest.timeLimitMinutes === undefined) return undefined;
    const startedAt = this.options.store.scenarioRunStart(session.visitorId, lab.slug);
    return startedAt === undefined ? undefined : startedAt + lab.manifest.timeLimitMinutes * 60_000;
  }

  /** The session clock as the page shows it. */
  timer(session: { id: string; expiresAt: number; lastActivityAt: number; warnedFor?: number | undefined }): SessionTimer {
    const deadline = sessionDeadline(session, this.idleMs);
    return { sessionId: session.id, expiresAt: session.expiresAt, idleExpiresAt: session.lastActivityAt + this.idleMs, warning: session.warnedFor === deadline.at };
  }

  /** Fills the warm pool (once the host is ready). */
  warmUp(): void {
    if (!this.disposed) this.pool?.fill();
  }

  /** Starts the visitor's session for a lab, or returns the one already running; ends their session of another lab. */
  async start(visitorId: string, slug: string, onProgress: (progress: LabProgress) => void = () => undefined): Promise<LabReady> {
    if (this.disposed) throw new SessionError('SHUTTING_DOWN', 'the server is shutting down; try again in a moment');
    const lab = this.options.labs(slug);
    if (!lab) throw new SessionError('NO_SUCH_LAB', `there is no lab '${slug}'; pick one from the catalog`);
    const running = [...this.sessions.values()].find((s) => s.visitorId === visitorId);
    if (running?.lab.slug === slug) {
      this.touch(running.id);
      return this.ready(running);
    }
    const pending = this.starting.get(visitorId);
    if (pending?.slug === slug) return pending.promise;
    if (pending) throw new SessionError('START_IN_PROGRESS', `your lab '${pending.slug}' is still starting; wait for it, then switch`);
    if (running) await this.endSession(running, 'replaced', `you started '${slug}'`);
    // Checked after the replaced session is gone (its seat is free) and before anything is created.
    const refusal = this.options.maxSessions === undefined ? undefined : seatRefusal(this.options.maxSessions, this.inUse());
    if (refusal) {
      this.options.log?.info({ visitor: visitorId, lab: slug, inUse: this.inUse() }, 'start refused: no free seat');
      throw new SessionError('NO_SEATS', refusal);
    }
    // create() runs once this start is registered, so it counts as a seat taken from its first step.
    const promise = Promise.resolve().then(() => this.create(visitorId, lab, onProgress)).finally(() => {
      this.starting.delete(visitorId);
      this.pool?.fill(); // a failed start frees its seat
    });
    this.starting.set(visitorId, { slug, promise });
    return promise;
  }

  /**
   * The provider the warm pool creates through: a warm cluster comes with its toolbox started and
   * its checks and reset baseline wired, so taking one leaves only the lab's own setup to do
   * (start-to-prompt in about a second instead of the ~10 s a toolbox and a snapshot take).
   */
  private warmProvider(): ClusterProvider {
    const base = this.options.provider;
    return {
      create: async (spec, options) => {
        const info = await base.create(spec, options);
        let toolbox: SessionToolbox | undefined;
        try {
          toolbox = await this.options.toolboxes.start({ name: `${info.name}-toolbox`, image: this.options.toolboxImage, network: info.network, kubeconfig: await base.kubeconfig(info.name, 'internal'), owner: this.owner });
          this.prepared.set(info.name, await this.wire(info, toolbox, 120_000));
          return info;
        } catch (error) {
          await toolbox?.dispose().catch(() => undefined);
          await base.delete(info.name).catch(() => undefined);
          throw error;
        }
      },
      delete: async (name) => {
        const ready = this.prepared.get(name);
        this.prepared.delete(name);
        await ready?.toolbox.dispose().catch(() => undefined);
        await base.delete(name);
      },
      list: (filter) => base.list(filter),
      kubeconfig: (name, kind) => base.kubeconfig(name, kind),
    };
  }

  /**
   * A warm cluster for a lab that wants control-plane labels (ingress-ready): labels the node, then
   * wires the cluster again so the reset baseline holds the labels and Reset keeps them.
   */
  private async withLabels(parts: Provisioned, labels: Record<string, string> | undefined, progress: (phase: LabProgress['phase'], message: string) => void): Promise<Provisioned> {
    if (!labels) return parts;
    progress('cluster', `labelling the control plane (${Object.keys(labels).join(', ')})`);
    await labelControlPlane(parts.toolbox, parts.cluster.name, labels);
    return this.wire(parts.cluster, parts.toolbox, 120_000);
  }

  /** Checks, environment and health probe of a cluster and its toolbox. */
  private async wire(cluster: ClusterInfo, toolbox: SessionToolbox, checkTimeoutMs: number): Promise<Provisioned> {
    const kubeconfig = await this.options.provider.kubeconfig(cluster.name, 'external');
    const checks = this.checksFor(kubeconfig, toolbox);
    const environment = await this.environmentFor(toolbox, (specs) => checks(specs, { signal: AbortSignal.timeout(checkTimeoutMs) }));
    return { cluster, toolbox, checks, environment, health: this.options.health?.(cluster, kubeconfig, toolbox) };
  }

  private async create(visitorId: string, lab: Lab, onProgress: (progress: LabProgress) => void): Promise<LabReady> {
    const { store } = this.options;
    const progress = (phase: LabProgress['phase'], message: string) => onProgress({ slug: lab.slug, phase, message });
    const parts = await this.provision(lab, progress);
    try {
      const now = this.clock.now();
      store.touchVisitor(visitorId);
      const step = resumeStep(this.gateState(visitorId, lab));
      const session = new LabSession(hex(16), hex(32), visitorId, lab, parts, now, now + this.sessionMsFor(visitorId, lab.slug), now, step);
      progress('setup', step > 1 ? `preparing the cluster for step ${step}` : 'preparing the cluster');
      await this.prepare(session, step);
      store.saveSession({ id: session.id, visitorId, lab: lab.slug, cluster: session.cluster, toolbox: session.toolbox.name, createdAt: now, expiresAt: session.expiresAt });
      store.startStep(visitorId, lab.slug, step);
      if (lab.type === 'scenario') store.startScenarioRun(visitorId, lab.slug); // the clock starts now, once
      this.sessions.set(session.id, session);
      progress('ready', 'ready');
      this.options.log?.info({ session: session.id, cluster: session.cluster, lab: lab.slug, visitor: visitorId }, 'session started');
      return this.ready(session);
    } catch (error) {
      this.teardown(parts.cluster.name, parts.toolbox);
      if (error instanceof SessionError) throw error;
      throw new SessionError('START_FAILED', `the lab could not start: ${messageOf(error)}`);
    }
  }

  /** A cluster for the lab (warm or cold) with its toolbox, checks and environment; removes what it made when it fails. */
  private async provision(lab: Lab, progress: (phase: LabProgress['phase'], message: string) => void): Promise<Provisioned> {
    const { provider, toolboxes } = this.options;
    const shape = labClusterShape(lab.manifest);
    // Warm clusters are single-node without host ports; labels (ingress-ready) are added on taking one.
    const poolable = !shape.workers && !shape.portMappings;
    progress('queued', 'finding a cluster');
    let cluster: ClusterInfo | undefined;
    let toolbox: SessionToolbox | undefined;
    try {
      cluster = poolable ? this.pool?.take() : undefined;
      cluster ??= await this.roomForColdCluster(poolable, progress);
      const warm = cluster !== undefined;
      if (cluster) {
        progress('cluster', `using warm cluster ${cluster.name}`);
        const ready = this.prepared.get(cluster.name);
        this.prepared.delete(cluster.name);
        toolbox = ready?.toolbox;
        const warmImages = new Set(this.options.warmImages ?? []);
        const missing = (shape.preloadImages ?? []).filter((image) => !warmImages.has(image));
        if (missing.length) {
          progress('images', `loading ${missing.join(', ')}`);
          await provider.loadImages(cluster.name, missing);
        }
        if (ready) return await this.withLabels(ready, shape.controlPlaneLabels, progress);
      } else {
        cluster = await this.createCluster(shape, progress);
      }
      progress('toolbox', 'starting your terminal');
      toolbox = await toolboxes.start({
        name: `${cluster.name}-toolbox`,
        image: this.options.toolboxImage,
        network: cluster.network,
        kubeconfig: await provider.kubeconfig(cluster.name, 'internal'),
        owner: this.owner,
      });
      const wired = await this.wire(cluster, toolbox, 120_000);
      return warm ? await this.withLabels(wired, shape.controlPlaneLabels, progress) : wired;
    } catch (error) {
      this.teardown(cluster?.name, toolbox);
      if (error instanceof SessionError) throw error;
      throw new SessionError('START_FAILED', `the lab could not start: ${messageOf(error)}`);
    }
  }

  /**
   * With limited seats, a start that found no warm cluster must not push the machine past the
   * limit: warm clusters holding the last slot are waited for (and taken, if this lab can use one)
   * or deleted. Returns a warm cluster when one came free for this lab.
   */
  private async roomForColdCluster(poolable: boolean, progress: (phase: LabProgress['phase'], message: string) => void): Promise<ClusterInfo | undefined> {
    const { maxSessions } = this.options;
    const pool = this.pool;
    if (maxSessions === undefined || !pool) return undefined;
    for (;;) {
      const { ready, creating } = pool.status();
      const room = coldStartRoom({ max: maxSessions, inUse: this.inUse(), poolReady: ready, poolCreating: creating });
      if (room === 'create') return undefined;
      if (room === 'evict-warm') {
        progress('queued', 'making room: removing a warm cluster this lab cannot use');
        await pool.evictOne();
      } else {
        progress('queued', 'waiting for a warm cluster to finish starting');
        await pool.settled();
      }
      const warm = poolable ? pool.take() : undefined;
      if (warm) return warm;
    }
  }

  /**
   * A new cluster for a session, created once more if the first attempt fails (kind fails now
   * and then on a busy host: a node that does not become Ready in time, a port race); a second
   * failure is the attendee's START_FAILED with what happened and what to do.
   */
  private async createCluster(shape: Partial<ClusterSpec>, progress: (phase: LabProgress['phase'], message: string) => void): Promise<ClusterInfo> {
    for (let attempt = 1; ; attempt++) {
      const name = this.newClusterName();
      progress('cluster', attempt === 1 ? `creating cluster ${name} (about 30 s)` : `the first try failed; creating cluster ${name} once more`);
      try {
        return await this.options.provider.create(this.clusterSpec(name, shape), {
          onProgress: (p) => progress(p.phase === 'loading-images' ? 'images' : 'cluster', p.message),
        });
      } catch (error) {
        // kind's own last words say more than the command line that ran it.
        const reason = (error instanceof ClusterCommandError && error.stderr.trim().split('\n').at(-1)) || messageOf(error).split('\n')[0];
        this.options.log?.warn({ cluster: name, attempt, err: messageOf(error) }, 'could not create a cluster');
        if (attempt >= CREATE_ATTEMPTS || this.disposed) {
          throw new SessionError('START_FAILED', `your cluster could not be created (${attempt} tries; last error: ${reason}). Press Start again in a minute; if it keeps failing, ask the workshop host to check the server log and /healthz`);
        }
      }
    }
  }

  /** Lab setup, then each earlier step's setup and solution, then the target step's setup. */
  private async prepare(session: LabSession, target: number): Promise<void> {
    const { lab, environment } = session;
    const setup = async (what: string, s: Setup | undefined) => {
      try {
        if (s) await environment.applySetup(s, lab.dir);
      } catch (error) {
        throw new SessionError('SETUP_FAILED', `the setup of ${what} failed: ${messageOf(error)}`);
      }
    };
    await setup('the lab', lab.setup);
    for (const step of lab.steps.slice(0, target)) {
      if (!session.preparedSteps.has(step.number)) await setup(`step ${step.number}`, step.setup);
      session.preparedSteps.add(step.number);
      if (step.number === target || step.solution === undefined) continue;
      const r = await environment.runScript(step.solution);
      if (r.exitCode !== 0) throw new SessionError('SOLUTION_FAILED', `the solution of step ${step.number} failed (exit ${r.exitCode}): ${r.output.split('\n').slice(-5).join('\n')}`);
    }
  }

  private teardown(cluster: string | undefined, toolbox: SessionToolbox | undefined): void {
    const job = (async () => {
      await toolbox?.dispose().catch(() => undefined);
      if (cluster) await this.options.provider.delete(cluster).catch((error: unknown) => this.options.log?.warn({ cluster, err: messageOf(error) }, 'could not delete cluster'));
    })();
    this.teardowns.add(job);
    void job.finally(() => this.teardowns.delete(job));
  }

  private owned(sessionId: string, visitorId: string): LabSession {
    const session = this.sessions.get(sessionId);
    if (!session || session.visitorId !== visitorId) throw new SessionError('NO_SUCH_SESSION', 'this session has ended; start the lab again');
    return session;
  }

  private async exclusive<T>(session: LabSession, what: string, fn: () => Promise<T>): Promise<T> {
    if (session.busy) throw new SessionError('SESSION_BUSY', `your cluster is still busy ${session.busy}; wait for it to finish`);
    session.busy = what;
    session.lastActivityAt = this.clock.now();
    this.emit({ type: 'cluster', visitorId: session.visitorId, status: { sessionId: session.id, state: 'busy', message: what } });
    try {
      return await fn();
    } finally {
      session.busy = undefined;
      if (this.sessions.has(session.id)) this.emit({ type: 'cluster', visitorId: session.visitorId, status: this.clusterStatus(session) });
    }
  }

  /** Evaluates the current step's checks and records the attempt (a step without checks passes). */
  async check(sessionId: string, visitorId: string): Promise<CheckReply> {
    const session = this.owned(sessionId, visitorId);
    const step = session.lab.steps[session.step - 1];
    if (!step) throw new SessionError('NO_SUCH_STEP', `step ${session.step} does not exist`);
    this.refuseLost(session);
    const endsAt = this.examEndsAt(session);
    if (endsAt !== undefined && this.clock.now() >= endsAt) {
      throw new SessionError('TIME_UP', `time is up: the ${session.lab.type === 'scenario' ? session.lab.manifest.timeLimitMinutes : ''}-minute limit has passed, so Check no longer scores; your results are final`);
    }
    return this.exclusive(session, 'checking', async () => {
      const results = step.checks.length ? await session.checks(step.checks, { signal: session.abort.signal }) : [];
      const passed = results.every((r) => r.passed);
      this.options.store.recordCheck(visitorId, session.lab.slug, step.number, passed, results);
      return {
        step: step.number,
        passed,
        results: results.map(({ id, title, passed, message, expected, actual, hint }) => ({ id, title, passed, message, ...(expected !== undefined && { expected }), ...(actual !== undefined && { actual }), ...(hint !== undefined && { hint }) })),
        passedSteps: this.ready(session).passedSteps,
      };
    });
  }

  /** Moves to another step, within the gate; a step's setup runs the first time it is entered. */
  async goto(sessionId: string, visitorId: string, target: number): Promise<StepReply> {
    const session = this.owned(sessionId, visitorId);
    this.refuseStep(session, target);
    this.refuseLost(session);
    return this.exclusive(session, `opening step ${target}`, async () => {
      const step = session.lab.steps[target - 1];
      if (step && !session.preparedSteps.has(target)) {
        if (step.setup) await session.environment.applySetup(step.setup, session.lab.dir);
        session.preparedSteps.add(target);
      }
      session.step = target;
      this.options.store.startStep(visitorId, session.lab.slug, target);
      return { step: target, passedSteps: this.ready(session).passedSteps };
    });
  }

  /** Resets the cluster to a fresh lab (progress is kept) and goes to step 1. */
  async reset(sessionId: string, visitorId: string): Promise<StepReply> {
    return this.restart(this.owned(sessionId, visitorId), 1, 'resetting the cluster');
  }

  /** Resets the cluster, applies the solutions of the steps before `target`, and opens it. */
  async jump(sessionId: string, visitorId: string, target: number): Promise<StepReply> {
    const session = this.owned(sessionId, visitorId);
    this.refuseStep(session, target);
    return this.restart(session, target, `preparing step ${target}`);
  }

  private refuseStep(session: LabSession, target: number): void {
    const refusal = stepRefusal(target, this.gateState(session.visitorId, session.lab));
    if (refusal) throw new SessionError(refusal.code, refusal.message);
    const maxStep = this.options.policy?.(session.visitorId, session.lab.slug)?.maxStep;
    if (maxStep !== undefined && target > maxStep) throw new SessionError('STEP_LOCKED', `your instructor is holding the class at step ${maxStep}; step ${target} opens when they release it`);
  }

  /** Replaces a lost cluster (a new cluster and toolbox) and replays the solutions up to the current step; progress is kept. */
  async recover(sessionId: string, visitorId: string): Promise<StepReply> {
    const session = this.owned(sessionId, visitorId);
    return this.restart(session, session.step, 'replacing your cluster');
  }

  // Reset, jump and recovery: a fresh cluster state, then the solutions of the steps before `target`.
  // A lost cluster cannot be reset, so it is replaced instead.
  private restart(session: LabSession, target: number, what: string): Promise<StepReply> {
    return this.exclusive(session, what, async () => {
      if (session.lost) await this.replaceCluster(session);
      else await session.environment.reset();
      session.preparedSteps.clear();
      await this.prepare(session, target);
      session.step = target;
      this.options.store.startStep(session.visitorId, session.lab.slug, target);
      return { step: target, passedSteps: this.ready(session).passedSteps };
    });
  }

  private async replaceCluster(session: LabSession): Promise<void> {
    const old = session.parts;
    this.options.log?.info({ session: session.id, cluster: old.cluster.name, reason: session.lost }, 'replacing a lost cluster');
    this.teardown(old.cluster.name, old.toolbox);
    const status = (message: string) => this.emit({ type: 'cluster', visitorId: session.visitorId, status: { sessionId: session.id, state: 'busy', message } });
    const parts = await this.provision(session.lab, (_phase, message) => status(message));
    if (!this.sessions.has(session.id)) {
      this.teardown(parts.cluster.name, parts.toolbox); // the session ended meanwhile
      throw new SessionError('NO_SUCH_SESSION', 'this session has ended; start the lab again');
    }
    session.parts = parts;
    session.lost = undefined;
    session.apiFailures = 0;
    const { id, visitorId, lab, createdAt, expiresAt } = session;
    this.options.store.saveSession({ id, visitorId, lab: lab.slug, cluster: parts.cluster.name, toolbox: parts.toolbox.name, createdAt, expiresAt });
    status(session.step > 1 ? `replaying the solutions of steps 1 to ${session.step - 1}` : 'preparing the cluster');
  }

  /** Probes every idle live session once; a lost cluster is announced to the page. Runs every healthIntervalMs. */
  async probeHealth(): Promise<void> {
    await Promise.all(
      [...this.sessions.values()].map(async (session) => {
        const probe = session.parts.health;
        if (!probe || session.lost || session.busy || session.probing) return;
        session.probing = true;
        const parts = session.parts;
        try {
          const verdict = judgeHealth(await probe(), session.apiFailures);
          // A reset or recovery that began while probing makes the answer stale.
          if (session.busy || session.parts !== parts || !this.sessions.has(session.id)) return;
          if (verdict.state === 'lost') this.markLost(session, verdict.reason);
          else session.apiFailures = verdict.state === 'suspect' ? verdict.apiFailures : 0;
        } catch (error) {
          this.options.log?.warn({ session: session.id, err: messageOf(error) }, 'health probe failed');
        } finally {
          session.probing = false;
        }
      }),
    );
  }

  private markLost(session: LabSession, reason: string): void {
    session.lost = reason;
    this.options.log?.warn({ session: session.id, cluster: session.cluster, reason }, 'cluster lost');
    this.emit({ type: 'cluster', visitorId: session.visitorId, status: this.clusterStatus(session) });
  }

  private clusterStatus(session: LabSession): ClusterStatus {
    if (session.lost) return { sessionId: session.id, state: 'lost', message: lostMessage(session.lost) };
    if (session.busy) return { sessionId: session.id, state: 'busy', message: session.busy };
    return { sessionId: session.id, state: 'ready', message: 'ready' };
  }

  private refuseLost(session: LabSession): void {
    if (session.lost) throw new SessionError('CLUSTER_LOST', lostMessage(session.lost));
  }

  /** Pushes the end of a session out, once the warning is showing. */
  extend(sessionId: string, visitorId: string): { expiresAt: number } {
    const session = this.owned(sessionId, visitorId);
    const now = this.clock.now();
    const expiresAt = extendedExpiry(session, now, this.sessionMsFor(visitorId, session.lab.slug));
    if (expiresAt === undefined) throw new SessionError('TOO_EARLY_TO_EXTEND', 'a session can be extended in its last minutes; you will be offered it then');
    session.expiresAt = expiresAt;
    session.lastActivityAt = now;
    session.warnedFor = undefined;
    const { lab, cluster, toolbox, createdAt } = session;
    this.options.store.saveSession({ id: session.id, visitorId, lab: lab.slug, cluster, toolbox: toolbox.name, createdAt, expiresAt });
    this.emit({ type: 'timer', visitorId, timer: this.timer(session) });
    return { expiresAt };
  }

  /** An instructor gives a session more time, whenever they like (no warning needed). */
  extendBy(sessionId: string, ms: number): { expiresAt: number } {
    const session = this.sessions.get(sessionId);
    if (!session) throw new SessionError('NO_SUCH_SESSION', 'this session has ended');
    session.expiresAt = Math.max(session.expiresAt, this.clock.now()) + ms;
    session.warnedFor = undefined;
    const { lab, cluster, toolbox, createdAt, visitorId } = session;
    this.options.store.saveSession({ id: session.id, visitorId, lab: lab.slug, cluster, toolbox: toolbox.name, createdAt, expiresAt: session.expiresAt });
    this.emit({ type: 'timer', visitorId, timer: this.timer(session) });
    return { expiresAt: session.expiresAt };
  }

  /** Runs a script in a session's toolbox as the learner (an instructor reading the shell history). */
  async toolboxExec(sessionId: string, script: string, timeoutMs = 10_000): Promise<{ exitCode: number; output: string }> {
    const session = this.sessions.get(sessionId);
    if (!session) throw new SessionError('NO_SUCH_SESSION', 'this session has ended');
    return session.toolbox.exec(script, { timeoutMs });
  }

  /** Whether the visitor's lab is being started right now. */
  isStarting(visitorId: string): boolean {
    return this.starting.has(visitorId);
  }

  /** Warm clusters to keep on top of the configured pool (classrooms pre-warming); 0 to stop. */
  setWarmExtra(extra: number): void {
    if (!this.disposed) this.pool?.resize(this.options.poolSize + extra);
  }

  /** The attendee ends their session: the cluster and toolbox go. */
  async end(sessionId: string, visitorId: string): Promise<void> {
    await this.endSession(this.owned(sessionId, visitorId), 'ended', 'you ended the session');
  }

  /** Records activity (terminal input, any lab event): pushes the idle limit out. */
  touch(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    const hadWarning = session.warnedFor !== undefined;
    session.lastActivityAt = this.clock.now();
    if (hadWarning && sessionDeadline(session, this.idleMs).at !== session.warnedFor) {
      session.warnedFor = undefined;
      this.emit({ type: 'timer', visitorId: session.visitorId, timer: this.timer(session) });
    }
  }

  /** The visitor's running session, if any, as `lab:ready` describes it. */
  sessionOf(visitorId: string): (LabReady & { timer: SessionTimer; cluster: ClusterStatus }) | undefined {
    const session = [...this.sessions.values()].find((s) => s.visitorId === visitorId);
    return session && { ...this.ready(session), timer: this.timer(session), cluster: this.clusterStatus(session) };
  }

  /** The session a terminal token opens, for server/terminals. */
  terminalTarget(token: string): TerminalTarget | undefined {
    const session = [...this.sessions.values()].find((s) => s.token === token);
    return session && { sessionId: session.id, visitorId: session.visitorId, shell: session.toolbox.shellCommand(), touch: () => this.touch(session.id) };
  }

  /** argv of the shell in a session's toolbox, for the terminal launcher. */
  shellOf(sessionId: string): [string, string[]] | undefined {
    return this.sessions.get(sessionId)?.toolbox.shellCommand();
  }

  /** Warns about and ends sessions whose time is up; runs every SWEEP_INTERVAL_MS. */
  sweep(): void {
    const now = this.clock.now();
    for (const session of [...this.sessions.values()]) {
      session.lastActivityAt = Math.max(session.lastActivityAt, this.options.terminalActivity?.(session.id) ?? 0);
      const decision = decideLifetime(session, now, this.idleMs);
      if (decision.action === 'warn') {
        session.warnedFor = decision.deadline;
        this.emit({ type: 'timer', visitorId: session.visitorId, timer: this.timer(session) });
      } else if (decision.action === 'end') {
        void this.endSession(session, decision.reason, decision.reason === 'idle' ? `nothing happened for ${this.options.idleMinutes} minutes` : `the session reached its ${this.options.sessionMinutes} minutes`);
      }
    }
  }

  private async endSession(session: LabSession, reason: EndReason, message: string): Promise<void> {
    if (!this.sessions.delete(session.id)) return;
    session.dispose();
    this.options.store.endSession(session.id);
    this.emit({ type: 'ended', visitorId: session.visitorId, sessionId: session.id, reason, message });
    this.options.log?.info({ session: session.id, reason }, 'session ended');
    this.teardown(session.cluster, session.toolbox);
    this.pool?.fill(); // the seat is free again
  }

  /** Counts for /healthz. */
  status(): { sessions: number; starting: number; maxSessions: number | undefined; pool: PoolStatus | undefined } {
    return { sessions: this.sessions.size, starting: this.starting.size, maxSessions: this.options.maxSessions, pool: this.pool?.status() };
  }

  /**
   * Stops timers and running checks and deletes the warm clusters. Sessions' clusters stay, and
   * the Store keeps them live, so the next start re-adopts them.
   */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.sweeper?.dispose();
    this.prober?.dispose();
    for (const session of this.sessions.values()) session.dispose();
    this.sessions.clear();
    await Promise.allSettled([this.pool?.dispose(), ...this.teardowns]);
  }
}

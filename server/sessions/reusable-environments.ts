// Lab environments for proving many lessons in a row (`kubelab test --all`): each lane (a worker
// of a parallel run) keeps one cluster, reset between lessons instead of re-created (~20 s saved
// per lesson). A lane replaces its cluster only when a lesson needs another shape (node count,
// host ports). Control-plane labels (ingress-ready) are applied per lesson rather than being part
// of the shape; reset removes them again, as they are not in the baseline snapshot.
import { randomBytes } from 'node:crypto';
import type { ClusterProvider, ClusterSpec } from '../clusters/provider.js';
import { labClusterShape, labelControlPlane } from '../lessons/cluster-shape.js';
import type { Lab } from '../lessons/load.js';
import { Toolbox } from '../toolboxes/toolbox.js';
import type { LabEnvironment } from '../lessons/prove.js';
import { type CheckEvaluator, ClusterLabEnvironment } from './lab-environment.js';
export interface ReusableEnvironmentOptions {
  provider: ClusterProvider;
  nodeImage: string;
  toolboxImage: string;
  /** Builds the check engine for a cluster (external kubeconfig) and its toolbox. */
  evaluator: (kubeconfig: string, toolbox: Toolbox) => CheckEvaluator;
  /** Loads more images into an existing cluster (`kind load docker-image`). */
  loadImages: (cluster: string, images: string[]) => Promise<void>;
  namePrefix?: string;
  log?: (line: string) => void;
}

interface Slot {
  key: string;
  cluster: string;
  toolbox: Toolbox;
  environment: ClusterLabEnvironment;
  images: Set<string>;
  dirty: boolean;
}

/** A lab environment whose `dispose()` hands the cluster back for the next lesson. */
export interface LeasedEnvironment extends LabEnvironment {
  dispose(): Promise<void>;
}

export class ReusableEnvironments {
  /** One slot per lane. */
  private readonly slots = new Map<number, Slot>();

  constructor(private readonly options: ReusableEnvironmentOptions) {}

  /** Key of a cluster shape: labs with equal keys can share a cluster (labels are applied per lab). */
  static shapeKey(spec: Pick<ClusterSpec, 'workers' | 'portMappings'>): string {
    return JSON.stringify([spec.workers ?? 0, spec.portMappings ?? []]);
  }

  /** An environment for the lab on the lane's cluster: reset, re-created when the shape differs. */
  async forLab(lab: Lab, lane = 0): Promise<LeasedEnvironment> {
    const { controlPlaneLabels, ...shape } = labClusterShape(lab.manifest);
    const key = ReusableEnvironments.shapeKey(shape);
    let slot = this.slots.get(lane);
    if (slot && slot.key !== key) {
      this.options.log?.(`deleting cluster ${slot.cluster}: ${lab.slug} needs another shape`);
      this.slots.delete(lane);
      await this.dispose(slot);
      slot = undefined;
    }
    if (!slot) {
      slot = await this.createSlot(key, shape);
      this.slots.set(lane, slot);
    } else if (slot.dirty) {
      this.options.log?.(`resetting cluster ${slot.cluster} for ${lab.slug}`);
      try {
        await slot.environment.reset();
      } catch (error) {
        // A cluster that cannot be reset (a lab broke it, a node died) is replaced, once.
        this.options.log?.(`reset of ${slot.cluster} failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); replacing it`);
        this.slots.delete(lane);
        await this.dispose(slot).catch(() => undefined);
        slot = await this.createSlot(key, shape);
        this.slots.set(lane, slot);
      }
    }
    const current = slot;
    const missing = (shape.preloadImages ?? []).filter((i) => !current.images.has(i));
    if (missing.length) {
      await this.options.loadImages(current.cluster, missing);
      missing.forEach((i) => current.images.add(i));
    }
    current.dirty = true;
    // The labels are the lab's, not the baseline's: every reset (the prover resets before each
    // proof) removes them, so the leased environment puts them back after each one.
    const label = async () => {
      if (controlPlaneLabels) await labelControlPlane(current.toolbox, current.cluster, controlPlaneLabels);
    };
    await label();
    const base = current.environment;
    const leased: LeasedEnvironment = {
      applySetup: (setup, dir) => base.applySetup(setup, dir),
      runScript: (script) => base.runScript(script),
      evaluateChecks: (checks, options) => base.evaluateChecks(checks, options),
      reset: async () => {
        await base.reset();
        await label();
      },
      dispose: async () => undefined,
    };
    return leased;
  }

  private async createSlot(key: string, shape: Omit<ReturnType<typeof labClusterShape>, 'controlPlaneLabels'>): Promise<Slot> {
    const name = `${this.options.namePrefix ?? 'kubelab-test'}-${randomBytes(3).toString('hex')}`;
    this.options.log?.(`creating cluster ${name} (${shape.workers ?? 0} worker(s))`);
    const info = await this.options.provider.create({ name, image: this.options.nodeImage, owner: 'kubelab-test', ...shape });
    try {
      const toolbox = await Toolbox.start({
        name: `${name}-toolbox`,
        image: this.options.toolboxImage,
        network: info.network,
        kubeconfig: await this.options.provider.kubeconfig(name, 'internal'),
        owner: 'kubelab-test',
      });
      const evaluate = this.options.evaluator(await this.options.provider.kubeconfig(name, 'external'), toolbox);
      return { key, cluster: name, toolbox, environment: await ClusterLabEnvironment.create(toolbox, evaluate), images: new Set(shape.preloadImages ?? []), dirty: false };
    } catch (error) {
      await this.options.provider.delete(name).catch(() => undefined);
      throw error;
    }
  }

  private async dispose(slot: Slot): Promise<void> {
    await slot.toolbox.dispose();
    await this.options.provider.delete(slot.cluster);
  }

  /** Deletes every cluster and toolbox this object created. */
  async close(): Promise<void> {
    const slots = [...this.slots.values()];
    this.slots.clear();
    await Promise.allSettled(slots.map((s) => this.dispose(s)));
  }
}

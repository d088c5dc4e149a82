// Lab environments for proving many lessons in a row (`kubelab test --all`): one cluster per
// cluster shape (nodes, ingress, port mappings), reset between lessons instead of re-created,
// which saves ~20 s per lesson. Images a lesson preloads are loaded into the reused cluster.
import { randomBytes } from 'node:crypto';
import type { ClusterProvider, ClusterSpec } from '../clusters/provider.js';
import { labClusterShape } from '../lessons/cluster-shape.js';
import type { Lab } from '../lessons/load.js';
import { Toolbox } from '../toolboxes/toolbox.js';
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
  cluster: string;
  toolbox: Toolbox;
  environment: ClusterLabEnvironment;
  images: Set<string>;
  dirty: boolean;
}

/** A lab environment whose `dispose()` hands the cluster back for the next lesson. */
export interface LeasedEnvironment extends ClusterLabEnvironment {
  dispose(): Promise<void>;
}

export class ReusableEnvironments {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly options: ReusableEnvironmentOptions) {}

  /** Key of a cluster shape: labs with equal keys can share a cluster. */
  static shapeKey(spec: Pick<ClusterSpec, 'workers' | 'portMappings' | 'controlPlaneLabels'>): string {
    return JSON.stringify([spec.workers ?? 0, spec.portMappings ?? [], spec.controlPlaneLabels ?? {}]);
  }

  /** An environment for the lab: a reset cluster of the right shape, created on first need. */
  async forLab(lab: Lab): Promise<LeasedEnvironment> {
    const shape = labClusterShape(lab.manifest);
    const key = ReusableEnvironments.shapeKey(shape);
    let slot = this.slots.get(key);
    if (!slot) {
      const name = `${this.options.namePrefix ?? 'kubelab-test'}-${randomBytes(3).toString('hex')}`;
      this.options.log?.(`creating cluster ${name} (${shape.workers ?? 0} worker(s)${shape.portMappings ? ', ingress ports' : ''})`);
      const info = await this.options.provider.create({ name, image: this.options.nodeImage, owner: 'kubelab-test', ...shape });
      const toolbox = await Toolbox.start({
        name: `${name}-toolbox`,
        image: this.options.toolboxImage,
        network: info.network,
        kubeconfig: await this.options.provider.kubeconfig(name, 'internal'),
        owner: 'kubelab-test',
      });
      const evaluate = this.options.evaluator(await this.options.provider.kubeconfig(name, 'external'), toolbox);
      slot = { cluster: name, toolbox, environment: await ClusterLabEnvironment.create(toolbox, evaluate), images: new Set(shape.preloadImages ?? []), dirty: false };
      this.slots.set(key, slot);
    } else if (slot.dirty) {
      this.options.log?.(`resetting cluster ${slot.cluster} for ${lab.slug}`);
      await slot.environment.reset();
    }
    const missing = (shape.preloadImages ?? []).filter((i) => !slot.images.has(i));
    if (missing.length) {
      await this.options.loadImages(slot.cluster, missing);
      missing.forEach((i) => slot.images.add(i));
    }
    slot.dirty = true;
    const leased = slot.environment as LeasedEnvironment;
    leased.dispose = async () => undefined;
    return leased;
  }

  /** Deletes every cluster and toolbox this object created. */
  async close(): Promise<void> {
    const slots = [...this.slots.values()];
    this.slots.clear();
    await Promise.allSettled(slots.map(async (s) => {
      await s.toolbox.dispose();
      await this.options.provider.delete(s.cluster);
    }));
  }
}

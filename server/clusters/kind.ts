// ClusterProvider on kind: each cluster gets its own Docker network (created here, labelled as
// kubelab's), so containers attached to one cluster's network cannot reach another cluster, and
// firewalled (network-guard.ts) so they cannot reach the host or the cloud metadata service.
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { cacheRoot } from '../../images/build/cache.js';
import { ClusterCommandError, type CommandRunner, execaRunner, formatCommand } from './command.js';
import { kindConfig } from './kind-config.js';
import { bridgeName, runGuard } from './network-guard.js';
import {
  OWNER_LABEL,
  type ClusterInfo,
  type ClusterProvider,
  type ClusterSpec,
  type CreateOptions,
} from './provider.js';
import { type Cidr, DEFAULT_NETWORK_POOL, capacity, firstHost, formatCidr, freeSubnet, parseCidr, parseRouteTable } from './subnets.js';

/** kind labels every node container with its cluster's name. */
const KIND_CLUSTER_LABEL = 'io.x-k8s.kind.cluster';
/** Our label on the per-cluster network, naming the cluster it belongs to. */
const CLUSTER_LABEL = 'dev.kubelab.cluster';
/** On the network: the image whose iptables wrote the guard rules, to remove them with on delete. */
const GUARD_IMAGE_LABEL = 'dev.kubelab.guard-image';

/** Finds the kind CLI: $KUBELAB_KIND, then the one `npm run images` installed, then PATH. */
export async function findKind(): Promise<string> {
  if (process.env.KUBELAB_KIND) return process.env.KUBELAB_KIND;
  const installed = path.join(cacheRoot(), 'bin', 'kind');
  try {
    await access(installed);
    return installed;
  } catch {
    return 'kind';
  }
}

export interface KindProviderOptions {
  run?: CommandRunner;
  kind?: string;
  docker?: string;
  /** How long `kind create` may wait for the nodes to become Ready. */
  waitForReady?: string;
  /** Firewall each cluster network (network-guard.ts); default on unless KUBELAB_NETWORK_GUARD=off. */
  guard?: boolean;
  /**
   * Range each cluster network gets a /24 of (subnets.ts); default $KUBELAB_NETWORK_POOL, else
   * 172.16.0.0/16. `docker` leaves the choice to Docker's default address pools (about 30 networks).
   */
  networkPool?: string;
  /** The host's routing table in /proc/net/route form; read from /proc by default. */
  routes?: () => Promise<string>;
}

export class KindProvider implements ClusterProvider {
  private readonly run: CommandRunner;
  private readonly kind: string;
  private readonly docker: string;
  private readonly waitForReady: string;
  private readonly guard: boolean;
  private readonly networkPool: Cidr | undefined;
  private readonly routes: () => Promise<string>;
  /** Network creation one at a time, so two clusters starting together never pick the same subnet. */
  private networkQueue: Promise<unknown> = Promise.resolve();

  constructor(options: KindProviderOptions & { kind: string }) {
    this.guard = options.guard ?? process.env.KUBELAB_NETWORK_GUARD !== 'off';
    this.run = options.run ?? execaRunner;
    this.kind = options.kind;
    this.docker = options.docker ?? 'docker';
    this.waitForReady = options.waitForReady ?? '3m';
    const pool = options.networkPool ?? (process.env.KUBELAB_NETWORK_POOL || DEFAULT_NETWORK_POOL);
    this.networkPool = pool === 'docker' ? undefined : parseCidr(pool);
    this.routes = options.routes ?? (() => readFile('/proc/net/route', 'utf8').catch(() => ''));
  }

  /** Builds a provider with the kind CLI found on this host. */
  static async create(options: KindProviderOptions = {}): Promise<KindProvider> {
    return new KindProvider({ ...options, kind: options.kind ?? (await findKind()) });
  }

  async create(spec: ClusterSpec, options: CreateOptions = {}): Promise<ClusterInfo> {
    const progress = options.onProgress ?? (() => undefined);
    const owner = spec.owner ?? 'kubelab';
    const labels = { ...spec.labels, [OWNER_LABEL]: owner, [CLUSTER_LABEL]: spec.name };

    progress({ phase: 'network', message: `creating network ${spec.name}` });
    const bridge = bridgeName(spec.name);
    await this.createNetwork(spec.name, [
      'network', 'create', '--driver', 'bridge',
      ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
      ...(this.guard ? ['--label', `${GUARD_IMAGE_LABEL}=${spec.image}`] : []),
      '--opt', 'com.docker.network.bridge.enable_ip_masquerade=true',
      '--opt', `com.docker.network.bridge.name=${bridge}`,
    ]);
    if (this.guard) {
      try {
        await runGuard(this.run, this.docker, spec.image, bridge, 'apply');
      } catch (error) {
        await this.delete(spec.name).catch(() => undefined);
        throw new Error(`${error instanceof Error ? error.message : String(error)}. The rules keep attendees away from the host and the cloud metadata service; fix Docker's iptables, or set KUBELAB_NETWORK_GUARD=off on a machine you do not share (docs/security.md).`);
      }
    }

    progress({ phase: 'creating', message: `creating cluster ${spec.name} from ${spec.image}` });
    const env = { KIND_EXPERIMENTAL_DOCKER_NETWORK: spec.name };
    const args = ['create', 'cluster', '--name', spec.name, '--image', spec.image, '--config', '-', '--wait', this.waitForReady, '--kubeconfig', this.kubeconfigPath(spec.name)];
    const created = await this.run(this.kind, args, {
      input: kindConfig(spec),
      env,
      onStderrLine: (line) => {
        const message = kindProgressLine(line);
        if (message) progress({ phase: 'creating', message });
      },
      ...(options.signal !== undefined && { signal: options.signal }),
    });
    if (created.exitCode !== 0) {
      await this.delete(spec.name).catch(() => undefined);
      throw new ClusterCommandError(formatCommand(this.kind, args, env) + ' <<< (config)', created.exitCode, created.stderr, createHint(created.stderr));
    }

    if (spec.preloadImages?.length) {
      progress({ phase: 'loading-images', message: `loading ${spec.preloadImages.length} image(s)` });
      await this.loadImages(spec.name, spec.preloadImages);
    }
    progress({ phase: 'ready', message: `cluster ${spec.name} is ready` });
    const info = (await this.list({ prefix: spec.name })).find((c) => c.name === spec.name);
    if (!info) throw new Error(`cluster ${spec.name} was created but is not listed; run: docker ps -a --filter label=${KIND_CLUSTER_LABEL}=${spec.name}`);
    return info;
  }

  /** Loads images from the local Docker engine into every node of a running cluster. */
  async loadImages(name: string, images: string[]): Promise<void> {
    if (images.length) await this.must(this.kind, ['load', 'docker-image', '--name', name, ...images]);
  }

  async delete(name: string): Promise<void> {
    await this.must(this.kind, ['delete', 'cluster', '--name', name, '--kubeconfig', this.kubeconfigPath(name)]);
    // kind leaves the network behind; it is ours, so it goes too (if nothing else is attached).
    const networks = await this.must(this.docker, ['network', 'ls', '--filter', `label=${CLUSTER_LABEL}=${name}`, '--format', `{{.Name}}\t{{.Label "${GUARD_IMAGE_LABEL}"}}`]);
    for (const line of networks.split('\n').filter(Boolean)) {
      const [network = '', guardImage = ''] = line.split('\t');
      // Stale rules would be harmless (the bridge is gone) but would pile up on a busy server.
      if (guardImage && guardImage !== '<no value>') await runGuard(this.run, this.docker, guardImage, bridgeName(name), 'remove').catch(() => undefined);
      await this.disconnectAll(network);
      await this.must(this.docker, ['network', 'rm', network]);
    }
  }

  async list(filter: { prefix: string; owner?: string }): Promise<ClusterInfo[]> {
    const ownerFilter = filter.owner ? `${OWNER_LABEL}=${filter.owner}` : OWNER_LABEL;
    const nets = await this.must(this.docker, ['network', 'ls', '--filter', `label=${ownerFilter}`, '--format', '{{.Name}}\t{{.Labels}}']);
    const nodes = await this.must(this.docker, ['ps', '-a', '--filter', `label=${KIND_CLUSTER_LABEL}`, '--format', `{{.Label "${KIND_CLUSTER_LABEL}"}}\t{{.Names}}`]);
    const clusters = new Map<string, ClusterInfo>();
    for (const line of nets.split('\n').filter(Boolean)) {
      const [network = '', labelText = ''] = line.split('\t');
      const labels = parseLabels(labelText);
      const name = labels[CLUSTER_LABEL] ?? network;
      if (!name.startsWith(filter.prefix)) continue;
      clusters.set(name, { name, network, nodes: [], labels });
    }
    for (const line of nodes.split('\n').filter(Boolean)) {
      const [cluster = '', node = ''] = line.split('\t');
      clusters.get(cluster)?.nodes.push(node);
    }
    for (const c of clusters.values()) c.nodes.sort();
    return [...clusters.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async kubeconfig(name: string, kind: 'external' | 'internal'): Promise<string> {
    return this.must(this.kind, ['get', 'kubeconfig', '--name', name, ...(kind === 'internal' ? ['--internal'] : [])]);
  }

  /** kind writes a kubeconfig on create; keep it out of the user's ~/.kube/config. */
  private kubeconfigPath(name: string): string {
    return path.join(cacheRoot(), 'kubeconfigs', name);
  }

  /** `docker network create … name`, on a free /24 of the pool when there is one (subnets.ts). */
  private createNetwork(name: string, args: string[]): Promise<void> {
    const pool = this.networkPool;
    if (!pool) return this.must(this.docker, [...args, name]).then(() => undefined);
    const created = this.networkQueue.then(async () => {
      const taken: Cidr[] = [];
      // Another process (a second server, a test lane) may take the same subnet between looking
      // and creating; Docker then refuses with "overlaps", and the next free one is tried.
      for (let attempt = 1; ; attempt++) {
        const subnet = freeSubnet(pool, [...(await this.usedSubnets()), ...taken]);
        if (!subnet) {
          throw new Error(
            `no free /24 left in kubelab's network pool ${formatCidr(pool)} for cluster ${name}: it holds ${capacity(pool)} cluster networks, less what Docker networks and the host's routes use. ` +
              `Remove leftover networks (docker network ls --filter label=${OWNER_LABEL}), or give kubelab another or a larger range with KUBELAB_NETWORK_POOL (e.g. 10.210.0.0/16; server flag --network-pool).`,
          );
        }
        // With an explicit subnet Docker still takes .1 as the gateway but no longer reports it
        // in `network inspect`; naming it keeps the network looking like any other.
        const command = [...args, '--subnet', formatCidr(subnet), '--gateway', firstHost(subnet), name];
        const r = await this.run(this.docker, command);
        if (r.exitCode === 0) return;
        if (!/overlap/i.test(r.stderr) || attempt === 3) throw new ClusterCommandError(formatCommand(this.docker, command), r.exitCode, r.stderr);
        taken.push(subnet);
      }
    });
    this.networkQueue = created.catch(() => undefined);
    return created;
  }

  /** IPv4 subnets of every Docker network on the host, and the host's routes. */
  private async usedSubnets(): Promise<Cidr[]> {
    const ids = (await this.must(this.docker, ['network', 'ls', '-q'])).split('\n').filter(Boolean);
    // A network removed since `ls` makes inspect exit 1; the others are still printed.
    const subnets = ids.length ? (await this.run(this.docker, ['network', 'inspect', '--format', '{{range .IPAM.Config}}{{.Subnet}} {{end}}', ...ids])).stdout : '';
    const ipv4 = subnets.split(/\s+/).filter((s) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(s)).map(parseCidr);
    return [...ipv4, ...parseRouteTable(await this.routes())];
  }

  private async disconnectAll(network: string): Promise<void> {
    const attached = await this.must(this.docker, ['network', 'inspect', network, '--format', '{{range $id, $c := .Containers}}{{$c.Name}} {{end}}']);
    for (const container of attached.split(/\s+/).filter(Boolean)) {
      await this.run(this.docker, ['network', 'disconnect', '--force', network, container]);
    }
  }

  private async must(file: string, args: string[], input?: string): Promise<string> {
    const r = await this.run(file, args, input !== undefined ? { input } : {});
    if (r.exitCode !== 0) throw new ClusterCommandError(formatCommand(file, args), r.exitCode, r.stderr);
    return r.stdout;
  }
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const i = pair.indexOf('=');
    if (i > 0) labels[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return labels;
}

/** kind's progress lines (" ✓ Starting control-plane 🕹️") as plain text; other lines give undefined. */
export function kindProgressLine(line: string): string | undefined {
  const m = /^\s*[✓•✗]\s*(.*)$/u.exec(line);
  if (!m?.[1]) return undefined;
  const text = m[1].replace(/[^\x20-\x7E].*$/u, '').replace(/\s*\.\.\.$/, '').trim();
  return text || undefined;
}

/** Turns kind's most common failures into a next step. */
export function createHint(stderr: string): string | undefined {
  if (/node\(s\) already exist for a cluster with the name/.test(stderr)) return 'A cluster with this name exists: delete it first (kind delete cluster --name …).';
  if (/failed to pull image|pull access denied|no such host/.test(stderr)) return 'The node image is not in the local Docker engine: run npm run images.';
  if (/unable to apply caps/.test(stderr)) return 'Privileged containers fail on this host: run npm run setup (it installs a runtime shim).';
  if (/address already in use|port is already allocated/.test(stderr)) return 'A host port in the cluster config is taken by another process or cluster.';
  if (/Cannot connect to the Docker daemon/.test(stderr)) return 'Docker is not running: run npm run setup, or start Docker.';
  return undefined;
}

// What `npm run images` makes, and how: every image kubelab needs, pulled from its public
// registry where that works, otherwise built here from Go modules and Debian packages only.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile, access, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KEY_LABEL, cacheRoot, combineKey, hashPaths } from './cache.js';
import { run, succeeds } from './runner.js';

/** images/ in the repository. */
export const IMAGES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Versions {
  kind: string;
  kubernetes: string;
  debian: { image: string; suite: string; mirror: string };
  node: { image: string; upstream: string };
  controlPlane: { etcd: { image: string; module: string }; coredns: { image: string; module: string }; pause: { image: string } };
  addons: {
    net: { image: string };
    localPath: { image: string; module: string; helperImage: string };
    ingress: { image: string; module: string };
    metricsServer: { image: string; module: string };
  };
  toolbox: { image: string; helm: string };
  workloads: string[];
}

export async function readVersions(): Promise<Versions> {
  return JSON.parse(await readFile(path.join(IMAGES_DIR, 'versions.json'), 'utf8')) as Versions;
}

export interface BuildContext {
  versions: Versions;
  /** auto: pull where the registry answers, else build; pull: never build; build: never pull. */
  mode: 'auto' | 'pull' | 'build';
  force: boolean;
  /** Build every Docker layer afresh (`--cold`: measures a first run on a new machine). */
  noCache?: boolean;
  /** Set after the first pull attempt in auto mode. */
  registryReachable?: boolean;
  keys: Map<string, string>;
}

export interface Target {
  name: string;
  /** Image references this target leaves in the Docker engine. */
  images: (ctx: BuildContext) => string[];
  deps: string[];
  /** A public reference that provides images[0] when pulled (and tagged). */
  upstream?: (ctx: BuildContext) => string | string[];
  /** What the cache key is made of, besides the deps' keys. */
  inputs: (ctx: BuildContext) => Promise<unknown[]>;
  build: (ctx: BuildContext, key: string) => Promise<void>;
}

// ---------------------------------------------------------------- Go binaries

const K8S_VERSION_PKGS = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'];

function kubeLdflags(v: string): string {
  const [major, minor] = v.replace(/^v/, '').split('.');
  return K8S_VERSION_PKGS.flatMap((p) => [
    `-X ${p}.gitVersion=${v}`,
    `-X ${p}.gitMajor=${major}`,
    `-X ${p}.gitMinor=${minor}`,
    `-X ${p}.gitTreeState=clean`,
  ]).join(' ');
}

/** Builds (or finds cached) a static binary from a Go module under images/go/<module>. */
export async function goBinary(module: string, pkg: string, name: string, ldflags = ''): Promise<string> {
  const dir = path.join(IMAGES_DIR, 'go', module);
  const goVersion = (await run('go', ['env', 'GOVERSION'])).trim();
  const key = combineKey(await hashPaths([path.join(dir, 'go.mod'), path.join(dir, 'go.sum')]), pkg, ldflags, goVersion);
  const out = path.join(cacheRoot(), 'go', `${name}-${key}`);
  try {
    await access(out);
    return out;
  } catch {
    // not cached yet
  }
  console.log(`      go build ${pkg}`);
  await mkdir(path.dirname(out), { recursive: true });
  await run('go', ['build', '-trimpath', '-ldflags', `-s -w ${ldflags}`.trim(), '-o', `${out}.tmp`, pkg], {
    cwd: dir,
    env: { CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
    label: `go build ${name}`,
  });
  await run('mv', [`${out}.tmp`, out]);
  return out;
}

/** The Kubernetes commands the node image and the toolbox need. */
async function kubeBinary(ctx: BuildContext, name: string): Promise<string> {
  return goBinary('kubernetes', `k8s.io/kubernetes/cmd/${name}`, name, kubeLdflags(ctx.versions.kubernetes));
}

/** The path of the kind CLI, built from the pinned module; installed by `npm run images`. */
export async function kindBinary(): Promise<string> {
  return goBinary('kind', 'sigs.k8s.io/kind', 'kind');
}

// ---------------------------------------------------------------- docker helpers

/** The cache key an image was built with; '' or '<no value>' for one pulled; undefined if absent. */
export async function imageKey(ref: string): Promise<string | undefined> {
  try {
    const out = await run('docker', ['image', 'inspect', '--format', `{{ index .Config.Labels "${KEY_LABEL}" }}`, ref]);
    return out.trim();
  } catch {
    return undefined;
  }
}

/** `docker build` with our key label, Dockerfile text from a string when given. */
async function dockerBuild(ctx: BuildContext, opts: {
  tags: string[];
  key: string;
  context: string;
  dockerfile?: string;
  buildArgs?: Record<string, string>;
}): Promise<void> {
  const args = ['build', '--label', `${KEY_LABEL}=${opts.key}`, ...(ctx.noCache ? ['--no-cache', '--pull=false'] : [])];
  for (const t of opts.tags) args.push('-t', t);
  for (const [k, v] of Object.entries(opts.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
  if (opts.dockerfile !== undefined) {
    await writeFile(path.join(opts.context, 'Dockerfile.kubelab'), opts.dockerfile);
    args.push('-f', path.join(opts.context, 'Dockerfile.kubelab'));
  }
  args.push(opts.context);
  await run('docker', args, { progressLines: /^Step \d+\/\d+ :/, label: `docker build ${opts.tags[0]}` });
}

async function scratchDir(name: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `kubelab-${name}-`));
}

/** An image holding one static binary on PATH, as the upstream images do. */
function binaryImage(name: string, ref: (v: Versions) => string, binary: (ctx: BuildContext) => Promise<string>, opts: { base?: string; entrypoint?: boolean } = {}): Target {
  const deps = opts.base ? ['netbase'] : [];
  return {
    name,
    deps,
    images: (ctx) => [ref(ctx.versions)],
    upstream: (ctx) => ref(ctx.versions),
    // the binary's file name carries its build key
    inputs: async (ctx) => [path.basename(await binary(ctx)), opts],
    build: async (ctx, key) => {
      const dir = await scratchDir(name);
      const bin = await binary(ctx);
      const file = path.basename(bin).replace(/-[0-9a-f]{16}$/, '');
      await cp(bin, path.join(dir, file));
      await chmod(path.join(dir, file), 0o755);
      const entry = opts.entrypoint === false ? '' : `ENTRYPOINT ["/usr/local/bin/${file}"]\n`;
      await dockerBuild(ctx, {
        tags: [ref(ctx.versions)],
        key,
        context: dir,
        dockerfile:
          `FROM ${opts.base ?? 'scratch'}\nCOPY ${file} /usr/local/bin/${file}\n` +
          `ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin\n${entry}`,
      });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const NETBASE = 'kubelab/netbase:bookworm';

// ---------------------------------------------------------------- the targets

/** Every target, in an order where deps come first. */
export function targets(): Target[] {
  return [
    {
      name: 'debian',
      deps: [],
      images: (ctx) => [ctx.versions.debian.image],
      upstream: (ctx) => ctx.versions.debian.image,
      inputs: async (ctx) => [ctx.versions.debian, await hashPaths([path.join(IMAGES_DIR, 'debian')])],
      build: async (ctx, key) => {
        await run('bash', [path.join(IMAGES_DIR, 'debian', 'debootstrap.sh'), ctx.versions.debian.image, ctx.versions.debian.suite, ctx.versions.debian.mirror, key], {
          stream: true,
          label: 'debootstrap',
        });
      },
    },
    {
      name: 'netbase',
      deps: ['debian'],
      images: () => [NETBASE],
      inputs: async () => ['iptables ipset conntrack iproute2 kmod'],
      build: async (ctx, key) => {
        const dir = await scratchDir('netbase');
        await dockerBuild(ctx, {
          tags: [NETBASE],
          key,
          context: dir,
          dockerfile:
            'FROM debian:bookworm-slim\n' +
            'RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iptables ipset conntrack iproute2 kmod \\\n' +
            ' && apt-get clean && rm -rf /var/lib/apt/lists/*\n',
        });
      },
    },
    binaryImage('kube-apiserver', (x) => `registry.k8s.io/kube-apiserver:${x.kubernetes}`, (c) => kubeBinary(c, 'kube-apiserver')),
    binaryImage('kube-controller-manager', (x) => `registry.k8s.io/kube-controller-manager:${x.kubernetes}`, (c) => kubeBinary(c, 'kube-controller-manager')),
    binaryImage('kube-scheduler', (x) => `registry.k8s.io/kube-scheduler:${x.kubernetes}`, (c) => kubeBinary(c, 'kube-scheduler')),
    binaryImage('kube-proxy', (x) => `registry.k8s.io/kube-proxy:${x.kubernetes}`, (c) => kubeBinary(c, 'kube-proxy'), { base: NETBASE }),
    binaryImage('etcd', (x) => x.controlPlane.etcd.image, () => goBinary('etcd', 'go.etcd.io/etcd/server/v3', 'etcd')),
    binaryImage('coredns', (x) => x.controlPlane.coredns.image, () => goBinary('coredns', 'github.com/coredns/coredns', 'coredns')),
    binaryImage('pause', (x) => x.controlPlane.pause.image, (c) => pauseBinary(c)),
    binaryImage('kubelab-net', (x) => x.addons.net.image, () => netBinary(), { base: NETBASE }),
    binaryImage('local-path-provisioner', (x) => x.addons.localPath.image, () =>
      goBinary('local-path-provisioner', 'github.com/rancher/local-path-provisioner', 'local-path-provisioner'),
    ),
    binaryImage('metrics-server', (x) => x.addons.metricsServer.image, () =>
      goBinary('metrics-server', 'sigs.k8s.io/metrics-server/cmd/metrics-server', 'metrics-server'),
    ),
    binaryImage('traefik', (x) => x.addons.ingress.image, () => goBinary('traefik', 'github.com/traefik/traefik/v3/cmd/traefik', 'traefik')),
    {
      name: 'busybox',
      deps: ['debian'],
      images: (ctx) => ctx.versions.workloads.filter((w) => w.startsWith('busybox:')),
      upstream: (ctx) => ctx.versions.workloads.filter((w) => w.startsWith('busybox:')),
      inputs: async () => [await hashPaths([path.join(IMAGES_DIR, 'workloads', 'busybox')])],
      build: async (ctx, key) => {
        await dockerBuild(ctx, { tags: ctx.versions.workloads.filter((w) => w.startsWith('busybox:')), key, context: path.join(IMAGES_DIR, 'workloads', 'busybox') });
      },
    },
    {
      name: 'nginx',
      deps: ['debian'],
      images: (ctx) => ctx.versions.workloads.filter((w) => w.startsWith('nginx:')),
      upstream: (ctx) => ctx.versions.workloads.filter((w) => w.startsWith('nginx:')),
      inputs: async () => [await hashPaths([path.join(IMAGES_DIR, 'workloads', 'nginx')])],
      build: async (ctx, key) => {
        // One build per tag so that NGINX_VERSION inside says which tag a pod runs.
        for (const tag of ctx.versions.workloads.filter((w) => w.startsWith('nginx:'))) {
          await dockerBuild(ctx, { tags: [tag], key, context: path.join(IMAGES_DIR, 'workloads', 'nginx'), buildArgs: { TAG: tag.split(':')[1] ?? '' } });
        }
      },
    },
    {
      name: 'toolbox',
      deps: ['debian'],
      images: (ctx) => [ctx.versions.toolbox.image],
      inputs: async (ctx) => [ctx.versions.kubernetes, ctx.versions.toolbox, await hashPaths([path.join(IMAGES_DIR, 'toolbox')]), path.basename(await kubeBinary(ctx, 'kubectl'))],
      build: async (ctx, key) => {
        // The Dockerfile downloads kubectl and helm on a machine with internet; here we hand it
        // the binaries built from Go modules through bin/, which it prefers when present.
        const dir = await scratchDir('toolbox');
        await cp(path.join(IMAGES_DIR, 'toolbox'), dir, { recursive: true });
        const offline = ctx.mode === 'build' || ctx.registryReachable === false;
        if (offline) {
          await mkdir(path.join(dir, 'bin'), { recursive: true });
          await cp(await kubeBinary(ctx, 'kubectl'), path.join(dir, 'bin', 'kubectl'));
          await cp(await goBinary('helm', 'helm.sh/helm/v3/cmd/helm', 'helm'), path.join(dir, 'bin', 'helm'));
        }
        await dockerBuild(ctx, {
          tags: [ctx.versions.toolbox.image],
          key,
          context: dir,
          buildArgs: { KUBECTL_VERSION: ctx.versions.kubernetes, HELM_VERSION: ctx.versions.toolbox.helm },
        });
        await rm(dir, { recursive: true, force: true });
      },
    },
    {
      name: 'node-base',
      deps: ['debian'],
      images: (ctx) => [nodeBaseRef(ctx)],
      inputs: async (ctx) => [ctx.versions.kind, await hashPaths([path.join(IMAGES_DIR, 'node', 'Dockerfile.base'), path.join(IMAGES_DIR, 'node', 'files')])],
      build: async (ctx, key) => {
        const dir = await scratchDir('node-base');
        const kindDir = await goModuleDir('sigs.k8s.io/kind', ctx.versions.kind);
        await cp(path.join(kindDir, 'images', 'base', 'files'), path.join(dir, 'files'), { recursive: true });
        await run('chmod', ['-R', 'u+w', dir]);
        await cp(path.join(IMAGES_DIR, 'node', 'files'), path.join(dir, 'files'), { recursive: true });
        await cp(path.join(IMAGES_DIR, 'node', 'Dockerfile.base'), path.join(dir, 'Dockerfile'));
        await dockerBuild(ctx, { tags: [nodeBaseRef(ctx)], key, context: dir });
        await rm(dir, { recursive: true, force: true });
      },
    },
    {
      name: 'node',
      deps: ['node-base', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'etcd', 'coredns', 'pause', 'kubelab-net', 'local-path-provisioner', 'busybox'],
      images: (ctx) => [ctx.versions.node.image],
      upstream: (ctx) => ctx.versions.node.upstream,
      inputs: async (ctx) => [
        ctx.versions,
        await hashPaths([path.join(IMAGES_DIR, 'node', 'Dockerfile'), path.join(IMAGES_DIR, 'kubelab-net', 'manifest.yaml'), path.join(IMAGES_DIR, 'local-path', 'manifest.yaml')]),
        ...(await Promise.all(['kubeadm', 'kubelet', 'kubectl'].map(async (b) => path.basename(await kubeBinary(ctx, b))))),
      ],
      build: buildNode,
    },
  ];
}

function nodeBaseRef(ctx: BuildContext): string {
  return `kubelab/node-base:${ctx.versions.kind}`;
}

async function goModuleDir(module: string, version: string): Promise<string> {
  const out = await run('go', ['mod', 'download', '-json', `${module}@${version}`], { cwd: path.join(IMAGES_DIR, 'go', 'kind') });
  return (JSON.parse(out) as { Dir: string }).Dir;
}

/** pause, compiled statically from the C source shipped in the Kubernetes module. */
async function pauseBinary(ctx: BuildContext): Promise<string> {
  const src = path.join(await goModuleDir('k8s.io/kubernetes', ctx.versions.kubernetes), 'build', 'pause', 'linux', 'pause.c');
  const tag = ctx.versions.controlPlane.pause.image.split(':')[1] ?? 'dev';
  const key = combineKey(await hashPaths([src]), tag);
  const out = path.join(cacheRoot(), 'go', `pause-${key}`);
  if (!(await succeeds('test', ['-x', out]))) {
    await mkdir(path.dirname(out), { recursive: true });
    await run('gcc', ['-Os', '-static', `-DVERSION=${tag}`, '-o', out, src]);
  }
  return out;
}

/** kubelab-net, our CNI daemon, built from its own module in images/kubelab-net. */
async function netBinary(): Promise<string> {
  const dir = path.join(IMAGES_DIR, 'kubelab-net');
  const key = combineKey(await hashPaths([dir]));
  const out = path.join(cacheRoot(), 'go', `kubelab-net-${key}`);
  if (!(await succeeds('test', ['-x', out]))) {
    await mkdir(path.dirname(out), { recursive: true });
    await run('go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', out, '.'], { cwd: dir, env: { CGO_ENABLED: '0' }, label: 'go build kubelab-net' });
  }
  return out;
}

/** The node image: base + binaries + /kind metadata, then every image imported into containerd. */
async function buildNode(ctx: BuildContext, key: string): Promise<void> {
  const v = ctx.versions;
  const dir = await scratchDir('node');
  await mkdir(path.join(dir, 'bin'), { recursive: true });
  await mkdir(path.join(dir, 'kind', 'manifests'), { recursive: true });
  for (const b of ['kubeadm', 'kubelet', 'kubectl']) await cp(await kubeBinary(ctx, b), path.join(dir, 'bin', b));
  await writeFile(path.join(dir, 'kind', 'version'), `${v.kubernetes}\n`);
  const net = await readFile(path.join(IMAGES_DIR, 'kubelab-net', 'manifest.yaml'), 'utf8');
  await writeFile(path.join(dir, 'kind', 'manifests', 'default-cni.yaml'), net.replaceAll('KUBELAB_NET_IMAGE', v.addons.net.image));
  const storage = await readFile(path.join(IMAGES_DIR, 'local-path', 'manifest.yaml'), 'utf8');
  await writeFile(
    path.join(dir, 'kind', 'manifests', 'default-storage.yaml'),
    storage.replaceAll('KUBELAB_LOCAL_PATH_IMAGE', v.addons.localPath.image).replaceAll('KUBELAB_HELPER_IMAGE', v.addons.localPath.helperImage),
  );
  await cp(path.join(IMAGES_DIR, 'node', 'Dockerfile'), path.join(dir, 'Dockerfile'));
  const stage = `kubelab/node-stage:${key}`;
  await dockerBuild(ctx, { tags: [stage], key, context: dir, buildArgs: { BASE: nodeBaseRef(ctx) } });
  await rm(dir, { recursive: true, force: true });

  const preload = [
    `registry.k8s.io/kube-apiserver:${v.kubernetes}`,
    `registry.k8s.io/kube-controller-manager:${v.kubernetes}`,
    `registry.k8s.io/kube-scheduler:${v.kubernetes}`,
    `registry.k8s.io/kube-proxy:${v.kubernetes}`,
    v.controlPlane.etcd.image,
    v.controlPlane.coredns.image,
    v.controlPlane.pause.image,
    v.addons.net.image,
    v.addons.localPath.image,
    v.addons.localPath.helperImage,
  ];
  const container = (await run('docker', ['run', '-d', '--privileged', '--entrypoint=sleep', stage, 'infinity'])).trim();
  try {
    await run('docker', ['exec', container, 'bash', '-c', 'nohup containerd > /var/log/containerd-build.log 2>&1 &']);
    await run('docker', ['exec', container, 'bash', '-c', 'for i in $(seq 1 50); do [ -S /run/containerd/containerd.sock ] && ctr version >/dev/null 2>&1 && exit 0; sleep 0.2; done; exit 1']);
    for (const [i, image] of preload.entries()) {
      console.log(`      importing ${image} into the node's containerd (${i + 1}/${preload.length})`);
      const tar = path.join(cacheRoot(), 'node-import.tar');
      await run('docker', ['save', '-o', tar, image]);
      await run('docker', ['cp', tar, `${container}:/tmp/import.tar`]);
      await run('docker', ['exec', container, 'ctr', '--namespace=k8s.io', 'images', 'import', '--label=io.cri-containerd.pinned=pinned', '--all-platforms', '--no-unpack', '--digests', '/tmp/import.tar']);
      await run('docker', ['exec', container, 'rm', '-f', '/tmp/import.tar']);
      await rm(tar, { force: true });
    }
    await run('docker', ['exec', container, 'bash', '-c', 'pkill containerd; for i in $(seq 1 50); do pgrep containerd >/dev/null || exit 0; sleep 0.2; done']);
    await run('docker', [
      'commit',
      '--change', 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]',
      '--change', 'CMD []',
      '--change', 'ENV container=docker',
      '--change', `LABEL ${KEY_LABEL}=${key}`,
      container,
      v.node.image,
    ]);
  } finally {
    await run('docker', ['rm', '-f', container]).catch(() => undefined);
    await run('docker', ['rmi', stage]).catch(() => undefined);
  }
}


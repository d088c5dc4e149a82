import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ClusterCommandError, formatCommand, type CommandRunner, type CommandOptions } from '../../../server/clusters/command.js';
import { KindProvider, createHint, kindProgressLine } from '../../../server/clusters/kind.js';
import { kindConfig } from '../../../server/clusters/kind-config.js';

type Call = { file: string; args: string[]; options: CommandOptions | undefined };

/** A runner that records calls and answers from a table of (predicate, result). */
function fakeRunner(answers: [(c: Call) => boolean, { stdout?: string; stderr?: string; exitCode?: number }][]): { run: CommandRunner; calls: Call[] } {
  const calls: Call[] = [];
  const run: CommandRunner = async (file, args, options) => {
    const call = { file, args, options };
    calls.push(call);
    const hit = answers.find(([match]) => match(call))?.[1] ?? {};
    return { stdout: hit.stdout ?? '', stderr: hit.stderr ?? '', exitCode: hit.exitCode ?? 0 };
  };
  return { run, calls };
}

describe('kindConfig', () => {
  it('describes a single control-plane node by default', () => {
    const config = parse(kindConfig({ name: 'a', image: 'img' }));
    expect(config).toEqual({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', name: 'a', nodes: [{ role: 'control-plane' }] });
  });

  it('adds workers, port mappings on loopback and control-plane labels', () => {
    const config = parse(
      kindConfig({ name: 'b', image: 'img', workers: 2, portMappings: [{ containerPort: 80, hostPort: 8080 }], controlPlaneLabels: { 'ingress-ready': 'true' } }),
    );
    expect(config.nodes).toEqual([
      { role: 'control-plane', extraPortMappings: [{ containerPort: 80, hostPort: 8080, listenAddress: '127.0.0.1', protocol: 'TCP' }], labels: { 'ingress-ready': 'true' } },
      { role: 'worker' },
      { role: 'worker' },
    ]);
  });
});

describe('kind output', () => {
  it.each([
    [' ✓ Ensuring node image (kubelab/node:v1.33.1) 🖼', 'Ensuring node image (kubelab/node:v1.33.1)'],
    [' • Starting control-plane 🕹️  ...', 'Starting control-plane'],
    ['Creating cluster "x" ...', undefined],
    ['', undefined],
  ])('turns %j into a progress message %j', (line, expected) => {
    expect(kindProgressLine(line)).toBe(expected);
  });

  it('suggests the next step for known failures and nothing for unknown ones', () => {
    expect(createHint('ERROR: failed to create cluster: node(s) already exist for a cluster with the name "a"')).toMatch(/delete it first/);
    expect(createHint('docker: Error response from daemon: unable to apply caps: operation not permitted')).toMatch(/npm run setup/);
    expect(createHint('something else entirely')).toBeUndefined();
  });
});

describe('formatCommand', () => {
  it('quotes what a shell would split and prefixes the environment', () => {
    expect(formatCommand('kind', ['create', 'cluster', '--name', "it's"], { KIND_EXPERIMENTAL_DOCKER_NETWORK: 'n 1' })).toBe(
      `KIND_EXPERIMENTAL_DOCKER_NETWORK='n 1' kind create cluster --name 'it'\\''s'`,
    );
  });
});

/** Answers for the look at Docker's networks before a network is created (two, with `subnets`), and for listing cluster c1 after. */
function subnetAnswers(subnets: string): [(c: Call) => boolean, { stdout?: string; stderr?: string; exitCode?: number }][] {
  return [
    [(c) => c.args.join(' ') === 'network ls -q', { stdout: 'n1\nn2\n' }],
    [(c) => c.args[0] === 'network' && c.args[1] === 'inspect' && c.args.includes('n1'), { stdout: subnets }],
    [(c) => c.args[0] === 'network' && c.args[1] === 'ls', { stdout: 'c1\tdev.kubelab.owner=kubelab,dev.kubelab.cluster=c1\n' }],
    [(c) => c.args[0] === 'ps', { stdout: 'c1\tc1-control-plane\n' }],
  ];
}

const ROUTES = 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\nwg0\t000110AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n';

describe('KindProvider networks', () => {
  it('gives each cluster network a /24 of the pool that no Docker network and no host route uses', async () => {
    const { run, calls } = fakeRunner(subnetAnswers('10.210.0.0/24 \n'));
    const provider = new KindProvider({ run, kind: 'kind', networkPool: '10.210.0.0/22', routes: async () => ROUTES.replace('000110AC', '0001D20A').replace('0000FFFF', '00FFFFFF') });
    await provider.create({ name: 'c1', image: 'node:1' });
    // 10.210.0.0/24 is a Docker network's, 10.210.1.0/24 a route's (wg0).
    expect(calls.find((c) => c.args[1] === 'create')?.args).toEqual(expect.arrayContaining(['--subnet', '10.210.2.0/24']));
  });

  it('tries the next /24 when another process took the chosen one first', async () => {
    let creates = 0;
    const { run, calls } = fakeRunner([
      ...subnetAnswers(''),
      [(c) => c.args[1] === 'create' && creates++ === 0, { exitCode: 1, stderr: 'Error response from daemon: Pool overlaps with other one on this address space' }],
    ]);
    await new KindProvider({ run, kind: 'kind', networkPool: '10.210.0.0/16', routes: async () => '' }).create({ name: 'c1', image: 'node:1' });
    expect(calls.filter((c) => c.args[1] === 'create').map((c) => c.args[c.args.indexOf('--subnet') + 1])).toEqual(['10.210.0.0/24', '10.210.1.0/24']);
  });

  it('says the pool is full, and how to make room, without starting kind', async () => {
    const { run, calls } = fakeRunner(subnetAnswers('10.210.0.0/23 '));
    const error = await new KindProvider({ run, kind: 'kind', networkPool: '10.210.0.0/23', routes: async () => '' }).create({ name: 'c1', image: 'node:1' }).catch((e: unknown) => e);
    expect(String(error)).toMatch(/no free \/24 left in kubelab's network pool 10\.210\.0\.0\/23 for cluster c1: it holds 2 cluster networks.*KUBELAB_NETWORK_POOL/);
    expect(calls.some((c) => c.file === 'kind')).toBe(false);
  });

  it('gives clusters created at the same moment different subnets', async () => {
    const made: string[] = [];
    const run: CommandRunner = async (_file, args) => {
      if (args.join(' ') === 'network ls -q') return { stdout: made.map((_, i) => `n${i}`).join('\n'), stderr: '', exitCode: 0 };
      if (args[1] === 'inspect') return { stdout: made.join(' '), stderr: '', exitCode: 0 };
      if (args[1] === 'create') {
        await new Promise((r) => setTimeout(r, 5)); // Docker takes a moment
        made.push(args[args.indexOf('--subnet') + 1] ?? '');
      }
      return { stdout: '', stderr: '', exitCode: 0 };
    };
    const provider = new KindProvider({ run, kind: 'kind', networkPool: '10.210.0.0/16', routes: async () => '' });
    await Promise.all(['a', 'b', 'c'].map((name) => provider.create({ name, image: 'node:1' }).catch(() => undefined)));
    expect(made).toEqual(['10.210.0.0/24', '10.210.1.0/24', '10.210.2.0/24']);
  });

  it('leaves the subnet to Docker with the pool set to docker', async () => {
    const { run, calls } = fakeRunner([]);
    await new KindProvider({ run, kind: 'kind', networkPool: 'docker' }).create({ name: 'c1', image: 'node:1' }).catch(() => undefined);
    expect(calls[0]?.args.slice(0, 2)).toEqual(['network', 'create']);
    expect(calls[0]?.args).not.toContain('--subnet');
  });

  it('refuses a pool that is not a range', () => {
    expect(() => new KindProvider({ kind: 'kind', networkPool: '10.210.0.0' })).toThrow(/'10\.210\.0\.0' is not an IPv4 range/);
  });
});

describe('KindProvider', () => {
  it('creates the network first, passes the config on stdin with the network in the environment, then loads images', async () => {
    const { run, calls } = fakeRunner([
      ...subnetAnswers('172.16.0.0/24 fd00:1::/64\n172.17.0.0/16 '),
    ]);
    const provider = new KindProvider({ run, kind: 'kind', routes: async () => '' });
    const info = await provider.create({ name: 'c1', image: 'node:1', preloadImages: ['nginx:1.27'] });
    expect(info).toEqual({ name: 'c1', network: 'c1', nodes: ['c1-control-plane'], labels: { 'dev.kubelab.owner': 'kubelab', 'dev.kubelab.cluster': 'c1' } });
    const network = calls.find((c) => c.args[0] === 'network' && c.args[1] === 'create');
    expect(calls.indexOf(network as Call)).toBeLessThan(calls.findIndex((c) => c.file === 'kind'));
    expect(network?.args).toContain('dev.kubelab.owner=kubelab');
    expect(network?.args.slice(-5)).toEqual(['--subnet', '172.16.1.0/24', '--gateway', '172.16.1.1', 'c1']);
    const create = calls.find((c) => c.file === 'kind' && c.args[0] === 'create');
    expect(create?.options?.env).toEqual({ KIND_EXPERIMENTAL_DOCKER_NETWORK: 'c1' });
    expect(create?.options?.input).toContain('kind: Cluster');
    expect(create?.args).toEqual(expect.arrayContaining(['--image', 'node:1', '--config', '-']));
    expect(calls.find((c) => c.args[0] === 'load')?.args).toEqual(['load', 'docker-image', '--name', 'c1', 'nginx:1.27']);
  });

  it('cleans up and throws the exact command, exit code and stderr when kind create fails', async () => {
    const { run, calls } = fakeRunner([[(c) => c.file === 'kind' && c.args[0] === 'create', { exitCode: 1, stderr: 'ERROR: failed to create cluster: boom' }]]);
    const provider = new KindProvider({ run, kind: 'kind', routes: async () => '' });
    const error = await provider.create({ name: 'c2', image: 'node:1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterCommandError);
    const e = error as ClusterCommandError;
    expect(e.exitCode).toBe(1);
    expect(e.command).toMatch(/^KIND_EXPERIMENTAL_DOCKER_NETWORK=c2 kind create cluster --name c2 --image node:1/);
    expect(e.message).toContain('boom');
    expect(calls.some((c) => c.file === 'kind' && c.args[0] === 'delete')).toBe(true);
  });

  it('lists only clusters with the prefix, with their nodes, and deletes their networks', async () => {
    const { run, calls } = fakeRunner([
      [(c) => c.args[0] === 'network' && c.args[1] === 'ls' && c.args.includes('label=dev.kubelab.cluster=lab-1'), { stdout: 'lab-1\n' }],
      [(c) => c.args[0] === 'network' && c.args[1] === 'ls', { stdout: 'lab-1\tdev.kubelab.owner=srv,dev.kubelab.cluster=lab-1\nother\tdev.kubelab.owner=srv,dev.kubelab.cluster=other\n' }],
      [(c) => c.args[0] === 'ps', { stdout: 'lab-1\tlab-1-worker\nlab-1\tlab-1-control-plane\nforeign\tforeign-control-plane\n' }],
      [(c) => c.args[0] === 'network' && c.args[1] === 'inspect', { stdout: 'lab-1-toolbox ' }],
    ]);
    const provider = new KindProvider({ run, kind: 'kind' });
    const clusters = await provider.list({ prefix: 'lab-', owner: 'srv' });
    expect(clusters.map((c) => [c.name, c.nodes])).toEqual([['lab-1', ['lab-1-control-plane', 'lab-1-worker']]]);
    await provider.delete('lab-1');
    expect(calls.some((c) => c.args.join(' ') === 'network disconnect --force lab-1 lab-1-toolbox')).toBe(true);
    expect(calls.at(-1)?.args).toEqual(['network', 'rm', 'lab-1']);
  });
});

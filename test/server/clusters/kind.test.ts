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

describe('KindProvider', () => {
  it('creates the network first, passes the config on stdin with the network in the environment, then loads images', async () => {
    const { run, calls } = fakeRunner([
      [(c) => c.args[0] === 'network' && c.args[1] === 'ls', { stdout: 'c1\tdev.kubelab.owner=kubelab,dev.kubelab.cluster=c1\n' }],
      [(c) => c.args[0] === 'ps', { stdout: 'c1\tc1-control-plane\n' }],
    ]);
    const provider = new KindProvider({ run, kind: 'kind' });
    const info = await provider.create({ name: 'c1', image: 'node:1', preloadImages: ['nginx:1.27'] });
    expect(info).toEqual({ name: 'c1', network: 'c1', nodes: ['c1-control-plane'], labels: { 'dev.kubelab.owner': 'kubelab', 'dev.kubelab.cluster': 'c1' } });
    expect(calls[0]?.args.slice(0, 2)).toEqual(['network', 'create']);
    expect(calls[0]?.args).toContain('dev.kubelab.owner=kubelab');
    const create = calls.find((c) => c.file === 'kind' && c.args[0] === 'create');
    expect(create?.options?.env).toEqual({ KIND_EXPERIMENTAL_DOCKER_NETWORK: 'c1' });
    expect(create?.options?.input).toContain('kind: Cluster');
    expect(create?.args).toEqual(expect.arrayContaining(['--image', 'node:1', '--config', '-']));
    expect(calls.find((c) => c.args[0] === 'load')?.args).toEqual(['load', 'docker-image', '--name', 'c1', 'nginx:1.27']);
  });

  it('cleans up and throws the exact command, exit code and stderr when kind create fails', async () => {
    const { run, calls } = fakeRunner([[(c) => c.file === 'kind' && c.args[0] === 'create', { exitCode: 1, stderr: 'ERROR: failed to create cluster: boom' }]]);
    const provider = new KindProvider({ run, kind: 'kind' });
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

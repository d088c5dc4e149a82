import { describe, expect, it } from 'vitest';
import { bridgeName, guardScript } from '../../../server/clusters/network-guard.js';
import { KindProvider } from '../../../server/clusters/kind.js';
import type { CommandRunner } from '../../../server/clusters/command.js';

describe('network guard', () => {
  it('names bridges within the 15 characters Linux allows, stable per cluster', () => {
    expect(bridgeName('kubelab-abc')).toMatch(/^kl[0-9a-f]{13}$/);
    expect(bridgeName('kubelab-abc')).toBe(bridgeName('kubelab-abc'));
    expect(bridgeName('kubelab-abd')).not.toBe(bridgeName('kubelab-abc'));
  });

  it('inserts each rule only when missing, and removes every copy', () => {
    const apply = guardScript('klx', 'apply');
    expect(apply).toContain('iptables -C "$FORWARD" -i klx -d 169.254.0.0/16 -m comment --comment kubelab-guard -j REJECT 2>/dev/null || iptables -I "$FORWARD" -i klx -d 169.254.0.0/16');
    expect(apply).toContain('iptables -C INPUT -i klx -m conntrack --ctstate NEW -m comment --comment kubelab-guard -j REJECT 2>/dev/null || iptables -I INPUT');
    const remove = guardScript('klx', 'remove');
    expect(remove).toContain('while iptables -D INPUT -i klx -m conntrack --ctstate NEW -m comment --comment kubelab-guard -j REJECT 2>/dev/null; do :; done');
    expect(remove).not.toContain('iptables -I');
  });

  /** Records calls; `docker run` of the guard fails when `guardFails`. */
  function recorder(guardFails = false) {
    const calls: string[] = [];
    const run: CommandRunner = async (file, args) => {
      calls.push(`${file} ${args.slice(0, 2).join(' ')}`);
      if (guardFails && args[0] === 'run') return { exitCode: 3, stdout: '', stderr: "iptables: can't initialize" };
      if (args[0] === 'network' && args[1] === 'ls') return { exitCode: 0, stdout: 'c1\tdev.kubelab.owner=kubelab,dev.kubelab.cluster=c1\n', stderr: '' };
      if (args[0] === 'ps') return { exitCode: 0, stdout: 'c1\tc1-control-plane\n', stderr: '' };
      return { exitCode: 0, stdout: '', stderr: '' };
    };
    return { run, calls };
  }

  it('firewalls the network after creating it and before kind creates nodes on it', async () => {
    const { run, calls } = recorder();
    await new KindProvider({ run, kind: 'kind', guard: true }).create({ name: 'c1', image: 'node:1' });
    const steps = calls.filter((c) => !/^docker network (ls|inspect)/.test(c)); // the look for a free subnet comes first
    expect(steps.slice(0, 3)).toEqual(['docker network create', 'docker run --rm', 'kind create cluster']);
  });

  it('refuses to create a cluster it cannot firewall, cleans up, and says how to opt out', async () => {
    const { run, calls } = recorder(true);
    const error = await new KindProvider({ run, kind: 'kind', guard: true }).create({ name: 'c1', image: 'node:1' }).then(() => new Error('the cluster was created'), (e: unknown) => e as Error);
    expect(error.message).toMatch(/could not install the firewall rules of bridge kl[0-9a-f]{13} \(exit 3\): iptables: can't initialize/);
    expect(error.message).toContain('KUBELAB_NETWORK_GUARD=off');
    expect(calls).toContain('kind delete cluster');
    expect(calls).not.toContain('kind create cluster');
  });

  it('can be switched off', async () => {
    const { run, calls } = recorder(true);
    await new KindProvider({ run, kind: 'kind', guard: false }).create({ name: 'c1', image: 'node:1' });
    expect(calls).not.toContain('docker run --rm');
  });
});

import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parseSnapshot, resetScript } from '../../../server/sessions/cluster-reset.js';

const node = (over: Partial<{ labels: Record<string, string>; taints: { key: string; effect: string }[]; unschedulable: boolean }> = {}) => ({
  name: 'lab-control-plane',
  labels: { 'kubernetes.io/hostname': 'lab-control-plane' },
  taints: [],
  unschedulable: false,
  ...over,
});

function snap(objects: string[], nodes = [node()]): string {
  return `${objects.join('\n')}\n---nodes---\n${JSON.stringify(nodes)}\n`;
}

describe('resetting a cluster to its baseline', () => {
  const baseline = parseSnapshot(snap(['namespaces - default', 'namespaces - kube-system', 'serviceaccounts default default', 'services default kubernetes']));

  it('changes nothing when the cluster is as it was', () => {
    const script = resetScript(baseline, baseline);
    expect(script).not.toMatch(/^del /m);
    expect(script).not.toMatch(/kubectl (label|patch|cordon|uncordon)/);
  });

  it('deletes new namespaces whole, and new objects in old namespaces one by one', () => {
    const current = parseSnapshot(
      snap([...baseline.objects, 'namespaces - team-a', 'deployments team-a web', 'deployments default web', 'clusterroles - pod-reader', 'services default kubernetes']),
    );
    const script = resetScript(baseline, current);
    expect(script).toContain('del namespace team-a');
    expect(script).toContain('del deployments -n default web');
    expect(script).toContain('del clusterroles pod-reader');
    expect(script).not.toContain('deployments -n team-a');
    expect(script).not.toContain('kubernetes');
  });

  it('restores node labels, taints and schedulability', () => {
    const current = parseSnapshot(
      snap([...baseline.objects], [node({ labels: { 'kubernetes.io/hostname': 'lab-control-plane', disk: 'ssd' }, taints: [{ key: 'gpu', effect: 'NoSchedule' }], unschedulable: true })]),
    );
    const script = resetScript(baseline, current);
    expect(script).toContain('kubectl uncordon lab-control-plane');
    expect(script).toContain(`kubectl label node lab-control-plane --overwrite 'disk-'`);
    expect(script).toContain(`kubectl patch node lab-control-plane --type=merge -p '{"spec":{"taints":[]}}'`);
  });

  it('waits until every deleted namespace is gone, not only the first (run by bash against a stand-in kubectl)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kubelab-reset-'));
    try {
      // Namespace a is gone at once; b is still terminating for the first two looks.
      await writeFile(path.join(dir, 'kubectl'), `#!/bin/bash
if [ "$1 $2" = "get namespace" ]; then
  n=$(cat "${dir}/looks" 2>/dev/null || echo 0); echo $((n + 1)) > "${dir}/looks"
  if [[ " $* " == *" --ignore-not-found "* ]]; then [ "$n" -lt 2 ] && echo namespace/b; exit 0; fi
  echo 'Error from server (NotFound): namespaces "a" not found' >&2; exit 1
fi
exit 0
`);
      await chmod(path.join(dir, 'kubectl'), 0o755);
      const current = parseSnapshot(snap([...baseline.objects, 'namespaces - a', 'namespaces - b']));
      await execa('bash', ['-c', resetScript(baseline, current)], { env: { PATH: `${dir}:${process.env.PATH}` } });
      expect(Number(await readFile(path.join(dir, 'looks'), 'utf8'))).toBe(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

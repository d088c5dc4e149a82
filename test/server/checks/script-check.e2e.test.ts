// Script checks and URL checks run in the attendee's real toolbox, with their kubectl context.
import { describe, expect, it } from 'vitest';
import { evaluateChecks } from '../../../server/checks/evaluate.js';
import { KubeClusterReader } from '../../../server/checks/kube-cluster-reader.js';
import { checkSpecSchema } from '../../../server/checks/spec.js';
import { Toolbox } from '../../../server/toolboxes/toolbox.js';
import { readFileSync } from 'node:fs';

function context() {
  const toolboxName = process.env.KUBELAB_TEST_TOOLBOX;
  const kubeconfig = process.env.KUBELAB_TEST_KUBECONFIG;
  if (!toolboxName || !kubeconfig) throw new Error('KUBELAB_TEST_TOOLBOX / KUBELAB_TEST_KUBECONFIG are not set: run through the e2e project, whose global setup creates the shared cluster');
  const toolbox = Toolbox.attach(toolboxName);
  return {
    reader: KubeClusterReader.fromKubeconfig(readFileSync(kubeconfig, 'utf8')),
    runner: { run: (s: string, o: { timeoutMs: number }) => toolbox.exec(s, { timeoutMs: o.timeoutMs }) },
  };
}

describe('script checks in the toolbox', () => {
  it('pass when the snippet exits 0 and fail with its output otherwise, as the learner with their kubectl context', async () => {
    const checks = [
      { id: 'whoami', title: 'runs as the learner', kind: 'script', run: 'test "$(whoami)" = learner && kubectl get ns default -o name' },
      { id: 'missing', title: 'a ConfigMap that does not exist', kind: 'script', run: 'kubectl get configmap does-not-exist-anywhere' },
    ].map((c) => checkSpecSchema.parse(c));
    const [ok, missing] = await evaluateChecks(checks, context());
    expect(ok).toMatchObject({ id: 'whoami', passed: true });
    expect(ok?.message).toContain('namespace/default');
    expect(missing).toMatchObject({ id: 'missing', passed: false });
    expect(missing?.message).toMatch(/NotFound|not found/);
  });
});

import { describe, expect, it } from 'vitest';
import { ClusterLabEnvironment } from '../../../server/sessions/lab-environment.js';
import { Toolbox } from '../../../server/toolboxes/toolbox.js';

function sharedToolbox(): Toolbox {
  const name = process.env.KUBELAB_TEST_TOOLBOX;
  if (!name) throw new Error('KUBELAB_TEST_TOOLBOX is not set: run the e2e tier through vitest (its global setup creates the shared cluster)');
  return Toolbox.attach(name);
}

describe('resetting a used cluster', () => {
  it('removes what a lab created and restores the node, without re-creating the cluster', async () => {
    const toolbox = sharedToolbox();
    const env = await ClusterLabEnvironment.create(toolbox, async () => []);
    const node = (await toolbox.exec('kubectl get nodes -o jsonpath="{.items[0].metadata.name}"')).output;
    const made = await env.runScript(
      [
        'set -e',
        'kubectl create namespace reset-me',
        'kubectl -n reset-me create configmap c --from-literal=a=b',
        'kubectl create deployment leftover --image=nginx:1.27',
        'kubectl create clusterrole reset-reader --verb=get --resource=pods',
        `kubectl label node ${node} lesson=scheduling`,
        `kubectl taint node ${node} lesson=yes:PreferNoSchedule`,
        `kubectl cordon ${node}`,
      ].join('\n'),
    );
    expect(made.exitCode, made.output).toBe(0);

    await env.reset();

    const after = await toolbox.exec(
      [
        'kubectl get namespace reset-me -o name 2>&1 | grep -c NotFound',
        'kubectl get deployment leftover -o name 2>&1 | grep -c NotFound',
        'kubectl get clusterrole reset-reader -o name 2>&1 | grep -c NotFound',
        `kubectl get node ${node} -o jsonpath='{.metadata.labels.lesson}|{.spec.unschedulable}|{.spec.taints}'; echo`,
        'kubectl get service kubernetes -o name',
      ].join('\n'),
    );
    expect(after.output.split('\n')).toEqual(['1', '1', '1', '||', 'service/kubernetes']);
  });
});

// Global setup of the end-to-end tier: one shared kind cluster with a toolbox, for the tests
// that need "a cluster" rather than a cluster of their own (checks, kubelab test, sessions).
// Tests find it through the environment:
//   KUBELAB_TEST_CLUSTER     cluster name
//   KUBELAB_TEST_KUBECONFIG  path of a kubeconfig for the host (API server on 127.0.0.1)
//   KUBELAB_TEST_TOOLBOX     name of the toolbox container on the cluster's network
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readVersions } from '../../images/build/targets.js';
import { KindProvider } from '../../server/clusters/kind.js';
import { Toolbox } from '../../server/toolboxes/toolbox.js';

export default async function setup(): Promise<() => Promise<void>> {
  const versions = await readVersions();
  const provider = await KindProvider.create();
  const name = `kubelab-e2e-shared-${Math.random().toString(36).slice(2, 7)}`;
  const started = Date.now();
  const info = await provider.create({ name, image: versions.node.image, owner: 'e2e', preloadImages: versions.workloads });
  const dir = await mkdtemp(path.join(tmpdir(), 'kubelab-e2e-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  await writeFile(kubeconfig, await provider.kubeconfig(name, 'external'), { mode: 0o600 });
  const toolbox = await Toolbox.start({
    name: `${name}-toolbox`,
    image: versions.toolbox.image,
    network: info.network,
    kubeconfig: await provider.kubeconfig(name, 'internal'),
    owner: 'e2e',
  });
  process.env.KUBELAB_TEST_CLUSTER = name;
  process.env.KUBELAB_TEST_KUBECONFIG = kubeconfig;
  process.env.KUBELAB_TEST_TOOLBOX = toolbox.name;
  console.log(`e2e: shared cluster ${name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return async () => {
    await toolbox.dispose();
    await provider.delete(name);
    await rm(dir, { recursive: true, force: true });
  };
}

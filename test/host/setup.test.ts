import { describe, expect, it } from 'vitest';
import { withShimRuntime } from '../../host/setup.js';

describe('registering the runtime shim in daemon.json', () => {
  it('keeps the existing settings and runtimes and makes the shim the default', () => {
    const merged = withShimRuntime({ 'log-driver': 'json-file', runtimes: { nvidia: { path: '/usr/bin/nvidia-container-runtime' } } }, '/usr/local/bin/kubelab-runc');
    expect(merged).toEqual({
      'log-driver': 'json-file',
      runtimes: { nvidia: { path: '/usr/bin/nvidia-container-runtime' }, 'kubelab-runc': { path: '/usr/local/bin/kubelab-runc' } },
      'default-runtime': 'kubelab-runc',
    });
  });

  it('is idempotent', () => {
    const once = withShimRuntime({}, '/s');
    expect(withShimRuntime(once, '/s')).toEqual(once);
  });
});

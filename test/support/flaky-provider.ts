// A FakeProvider whose next creations fail the way `kind create cluster` does on a busy host, to
// inject the fault without touching Docker.
import { ClusterCommandError } from '../../server/clusters/command.js';
import type { ClusterInfo, ClusterSpec } from '../../server/clusters/provider.js';
import { FakeProvider } from '../server/sessions/session-manager-fakes.js';

export class FlakyProvider extends FakeProvider {
  /** How many of the next create() calls fail. */
  failNext = 0;
  /** Names of creations that failed, in order. */
  readonly failed: string[] = [];

  override async create(spec: ClusterSpec, options?: Parameters<FakeProvider['create']>[1]): Promise<ClusterInfo> {
    if (this.failNext > 0) {
      this.failNext--;
      this.failed.push(spec.name);
      await new Promise((r) => setTimeout(r, 5));
      throw new ClusterCommandError(`kind create cluster --name ${spec.name}`, 1, 'ERROR: failed to create cluster: timed out waiting for the condition', undefined);
    }
    return super.create(spec, options);
  }
}

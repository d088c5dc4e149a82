// Where session toolboxes come from: the Docker engine in production, a fake in tests. Besides
// starting one, the manager must find every toolbox kubelab left behind (by owner label) so a
// restarted server can re-adopt or remove them.
import { ClusterCommandError, type CommandRunner, execaRunner, formatCommand } from '../../clusters/command.js';
import { OWNER_LABEL } from '../../clusters/provider.js';
import { Toolbox, type ToolboxSpec } from '../../toolboxes/toolbox.js';

/** What a session uses of its toolbox: scripts for setup and checks, a shell for the terminal. */
export interface SessionToolbox {
  readonly name: string;
  exec(script: string, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<{ exitCode: number; output: string }>;
  shellCommand(): [string, string[]];
  dispose(): Promise<void>;
}

/** Starts, finds and removes toolbox containers. */
export interface ToolboxHost {
  start(spec: ToolboxSpec): Promise<SessionToolbox>;
  attach(name: string): SessionToolbox;
  /** Names of toolbox containers carrying the owner label with this value, running or not. */
  list(owner: string): Promise<string[]>;
  remove(name: string): Promise<void>;
}

/** Toolboxes as Docker containers through the docker CLI. */
export function dockerToolboxHost(run: CommandRunner = execaRunner): ToolboxHost {
  return {
    start: (spec) => Toolbox.start(spec, run),
    attach: (name) => Toolbox.attach(name, run),
    async list(owner) {
      const args = ['ps', '-a', '--filter', `label=${OWNER_LABEL}=${owner}`, '--filter', 'label=dev.kubelab.role=toolbox', '--format', '{{.Names}}'];
      const r = await run('docker', args);
      if (r.exitCode !== 0) throw new ClusterCommandError(formatCommand('docker', args), r.exitCode, r.stderr);
      return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    },
    async remove(name) {
      await Toolbox.attach(name, run).dispose();
    },
  };
}

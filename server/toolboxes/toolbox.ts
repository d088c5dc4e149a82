// The attendee's toolbox: a container on their cluster's Docker network, running as the
// non-root user "learner" with kubectl pointed at that cluster. The browser terminal and script
// checks run here, never on the host. No Docker socket, no capabilities, bounded pids and memory.
import { ClusterCommandError, type CommandRunner, execaRunner, formatCommand } from '../clusters/command.js';
import { OWNER_LABEL } from '../clusters/provider.js';

export interface ToolboxSpec {
  /** Container name, e.g. `<cluster>-toolbox`. */
  name: string;
  image: string;
  /** The cluster's Docker network (the only network the toolbox joins). */
  network: string;
  /** Kubeconfig with the cluster-internal API address. */
  kubeconfig: string;
  owner?: string;
  labels?: Record<string, string>;
  memory?: string;
  pidsLimit?: number;
  cpus?: string;
}

export interface ScriptResult {
  exitCode: number;
  output: string;
}

/** Defaults sized for kubectl, helm and an editor, with room to spare but not for a fork bomb. */
export const TOOLBOX_LIMITS = { memory: '512m', pidsLimit: 256, cpus: '1' } as const;

export class Toolbox {
  private constructor(
    readonly name: string,
    private readonly run: CommandRunner,
  ) {}

  /** Starts the container and installs the kubeconfig; removes a stale one of the same name first. */
  static async start(spec: ToolboxSpec, run: CommandRunner = execaRunner): Promise<Toolbox> {
    await run('docker', ['rm', '-f', spec.name]);
    const labels = { ...spec.labels, [OWNER_LABEL]: spec.owner ?? 'kubelab', 'dev.kubelab.role': 'toolbox' };
    const args = [
      'run', '-d', '--name', spec.name,
      '--hostname', 'kubelab',
      '--network', spec.network,
      '--user', '1000:1000',
      '--cap-drop', 'ALL',
      '--security-opt', 'no-new-privileges',
      '--pids-limit', String(spec.pidsLimit ?? TOOLBOX_LIMITS.pidsLimit),
      '--memory', spec.memory ?? TOOLBOX_LIMITS.memory,
      '--memory-swap', spec.memory ?? TOOLBOX_LIMITS.memory,
      '--cpus', spec.cpus ?? TOOLBOX_LIMITS.cpus,
      ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
      spec.image,
    ];
    const started = await run('docker', args);
    if (started.exitCode !== 0) {
      throw new ClusterCommandError(formatCommand('docker', args), started.exitCode, started.stderr, /No such image|not found/.test(started.stderr) ? 'The toolbox image is missing: run npm run images.' : undefined);
    }
    const toolbox = new Toolbox(spec.name, run);
    const install = await run('docker', ['exec', '-i', spec.name, 'sh', '-c', 'mkdir -p ~/.kube && umask 077 && cat > ~/.kube/config'], { input: spec.kubeconfig });
    if (install.exitCode !== 0) throw new ClusterCommandError(`docker exec -i ${spec.name} sh -c 'cat > ~/.kube/config'`, install.exitCode, install.stderr);
    return toolbox;
  }

  /** A handle on a toolbox container that is already running (after a server restart, in tests). */
  static attach(name: string, run: CommandRunner = execaRunner): Toolbox {
    return new Toolbox(name, run);
  }

  /** Runs a bash snippet as the learner, with the same kubectl context the terminal uses. */
  async exec(script: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ScriptResult> {
    const r = await this.run('docker', ['exec', '-i', this.name, 'bash', '-l', '-s'], {
      input: script,
      ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
      ...(options.signal !== undefined && { signal: options.signal }),
    });
    return { exitCode: r.exitCode, output: (r.stdout + r.stderr).trim() };
  }

  /** argv for a pty running an interactive login shell in the toolbox. */
  shellCommand(): [string, string[]] {
    return ['docker', ['exec', '-it', '-e', 'TERM=xterm-256color', this.name, 'bash', '-l']];
  }

  async dispose(): Promise<void> {
    await this.run('docker', ['rm', '-f', this.name]);
  }
}

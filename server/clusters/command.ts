// The one way cluster code runs the `kind` and `docker` CLIs: injected, so every call is
// visible in tests, and a failure always says the exact command, its exit code and stderr.
import { execa } from 'execa';

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface CommandOptions {
  input?: string;
  env?: Record<string, string>;
  /** Called with each stderr line as it arrives (kind reports progress there). */
  onStderrLine?: (line: string) => void;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Runs a command to completion; never throws for a non-zero exit (the caller decides). */
export type CommandRunner = (file: string, args: string[], options?: CommandOptions) => Promise<CommandResult>;

/** Quotes arguments so the command in an error message can be pasted into a shell. */
export function formatCommand(file: string, args: string[], env?: Record<string, string>): string {
  const q = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`);
  const prefix = Object.entries(env ?? {}).map(([k, v]) => `${k}=${q(v)} `).join('');
  return prefix + [file, ...args].map(q).join(' ');
}

/** A command that exited non-zero, carrying what is needed to reproduce and understand it. */
export class ClusterCommandError extends Error {
  readonly code = 'CLUSTER_COMMAND_FAILED';
  constructor(
    readonly command: string,
    readonly exitCode: number,
    readonly stderr: string,
    readonly hint?: string,
  ) {
    const tail = stderr.trim().split('\n').slice(-20).join('\n');
    super(`${command}\nexited with ${exitCode}${tail ? `:\n${tail}` : ''}${hint ? `\n${hint}` : ''}`);
    this.name = 'ClusterCommandError';
  }
}

/** The production runner, on execa. */
export const execaRunner: CommandRunner = async (file, args, options = {}) => {
  const child = execa(file, args, {
    reject: false,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
    ...(options.env !== undefined && { env: options.env }),
    ...(options.timeoutMs !== undefined && { timeout: options.timeoutMs }),
    ...(options.signal !== undefined && { cancelSignal: options.signal }),
  });
  if (options.onStderrLine) {
    const onLine = options.onStderrLine;
    let partial = '';
    child.stderr.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine(line);
    });
  }
  const result = await child;
  return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? 1 };
};

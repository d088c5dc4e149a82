// Running the image build's commands: every call is printed, long silent ones show a heartbeat,
// and a failure carries the exact command, its exit code and the end of its output.
import { execa } from 'execa';

/** A failed build command, with what is needed to reproduce it by hand. */
export class BuildCommandError extends Error {
  readonly code = 'BUILD_COMMAND_FAILED';
  constructor(
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly output: string,
  ) {
    super(
      `command failed (exit ${exitCode ?? 'signal'}): ${command}\n` +
        `--- last output ---\n${output.split('\n').slice(-30).join('\n')}`,
    );
  }
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  input?: string | Buffer;
  /** Print output lines as they come (prefixed), instead of only on failure. */
  stream?: boolean;
  /** Lines matching this are printed even when not streaming (e.g. docker build's "Step 3/9"). */
  progressLines?: RegExp;
  label?: string;
}

/** How often a silent long command reports that it is still running. */
const HEARTBEAT_MS = 20_000;

/** Quotes an argument for a pasteable shell line. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Runs a command to completion and returns its combined output. */
export async function run(file: string, args: string[], options: RunOptions = {}): Promise<string> {
  const line = [file, ...args].map(shellQuote).join(' ');
  const label = options.label ?? file;
  const started = Date.now();
  const heartbeat = setInterval(() => {
    const s = Math.round((Date.now() - started) / 1000);
    console.log(`      … ${label} still running (${s}s)`);
  }, HEARTBEAT_MS);
  const child = execa(file, args, {
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    ...(options.env !== undefined && { env: options.env }),
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
    all: true,
    reject: false,
  });
  if (options.stream || options.progressLines) {
    let partial = '';
    child.all.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        if (options.stream || options.progressLines?.test(l)) console.log(`      ${l.length > 140 ? `${l.slice(0, 139)}…` : l}`);
      }
    });
  }
  const result = await child;
  clearInterval(heartbeat);
  const output = String(result.all ?? '');
  if (result.exitCode !== 0) throw new BuildCommandError(line, result.exitCode, output);
  return output;
}

/** Runs a command and reports whether it exited 0, without throwing. */
export async function succeeds(file: string, args: string[]): Promise<boolean> {
  const result = await execa(file, args, { reject: false, stdin: 'ignore' });
  return result.exitCode === 0;
}

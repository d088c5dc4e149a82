// The server's settings, from command-line flags and KUBELAB_* variables (flags win), validated
// in one place. Pure: main.ts passes argv, the environment and the working directory in, and
// every problem comes back at once, naming the flag or variable and what to write instead.
import { freemem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_NETWORK_POOL, parseCidr } from './clusters/subnets.js';
import { MIB_PER_SEAT, defaultMaxSessions } from './sessions/session-manager/seats.js';

/** Validated settings of one server. */
export interface Config {
  port: number;
  host: string;
  /** Absolute folder of the SQLite store and other server state. */
  dataDir: string;
  /** Absolute folder holding lessons/ and scenarios/. */
  lessonsRoot: string;
  /** Ready single-node clusters kept warm; 0 creates every cluster on demand. */
  poolSize: number;
  /** Labs running at once (warm pool clusters included); starts beyond it are refused. */
  maxSessions: number;
  sessionMinutes: number;
  idleMinutes: number;
  /** Steps must be passed in order. */
  gated: boolean;
  /** How `npm run images` gets missing images; used in the advice the server gives. */
  imagesMode: 'auto' | 'pull' | 'build';
  /** Origins besides the page's own that may open sockets (a reverse proxy's public URL). */
  allowedOrigins: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** The instructor's password; undefined: one is generated on first start and kept (hashed) in dataDir. */
  instructorToken: string | undefined;
  /**
   * Owner label value of every cluster and toolbox this server creates. At start a server removes
   * what its owner left behind, so servers sharing a Docker host need different owners.
   */
  owner: string;
  /** Range every cluster network gets a /24 of (server/clusters/subnets.ts), or `docker` for Docker's own pools. */
  networkPool: string;
}

/** Settings that could not be used; the message lists each one with its fix. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`kubelab cannot start with these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

interface Setting {
  flag: string;
  env: string;
  schema: z.ZodType;
  fix: string;
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const isCidr = (v: string) => {
  try {
    return parseCidr(v).bits <= 24; // room for at least one cluster network
  } catch {
    return false;
  }
};
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));

/** Each setting: its flag, its variable, what it accepts and how to fix a bad value. */
const SETTINGS = {
  port: { flag: 'port', env: 'KUBELAB_PORT', schema: int(0, 65535).default(3000), fix: 'use a free TCP port such as 3000' },
  host: { flag: 'host', env: 'KUBELAB_HOST', schema: z.string().min(1).default('127.0.0.1'), fix: 'use an address such as 127.0.0.1, or 0.0.0.0 to serve a room' },
  dataDir: { flag: 'data-dir', env: 'KUBELAB_DATA_DIR', schema: z.string().min(1).default('data'), fix: 'name a writable folder, e.g. ./data' },
  lessonsRoot: { flag: 'lessons', env: 'KUBELAB_LESSONS', schema: z.string().min(1).default('.'), fix: 'name the folder that holds lessons/ and scenarios/' },
  poolSize: { flag: 'pool-size', env: 'KUBELAB_POOL_SIZE', schema: int(0, 50).default(1), fix: 'use a whole number from 0 (no warm clusters) to 50' },
  maxSessions: {
    flag: 'max-sessions',
    env: 'KUBELAB_MAX_SESSIONS',
    schema: int(1, 1000).optional(),
    fix: `use a whole number from 1 to 1000 (default: free memory / ${MIB_PER_SEAT} MiB)`,
  },
  sessionMinutes: { flag: 'session-minutes', env: 'KUBELAB_SESSION_MINUTES', schema: int(5, 24 * 60).default(120), fix: 'use a whole number of minutes from 5 to 1440' },
  idleMinutes: { flag: 'idle-minutes', env: 'KUBELAB_IDLE_MINUTES', schema: int(1, 24 * 60).default(30), fix: 'use a whole number of minutes from 1 to 1440' },
  gated: { flag: 'gated', env: 'KUBELAB_GATED', schema: bool.default(true), fix: 'use true or false' },
  imagesMode: { flag: 'images-mode', env: 'KUBELAB_IMAGES_MODE', schema: z.enum(['auto', 'pull', 'build']).default('auto'), fix: 'use auto, pull or build' },
  allowedOrigins: {
    flag: 'allowed-origins',
    env: 'KUBELAB_ALLOWED_ORIGINS',
    schema: z
      .string()
      .default('')
      .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
      .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((u) => new URL(u).origin))),
    fix: 'use comma-separated origins such as https://lab.example.org',
  },
  owner: { flag: 'owner', env: 'KUBELAB_OWNER', schema: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/).default('kubelab'), fix: 'use lower-case letters, digits and dashes (up to 40); give each server sharing a Docker host its own, or each removes the clusters of the others as leftovers' },
  networkPool: {
    flag: 'network-pool',
    env: 'KUBELAB_NETWORK_POOL',
    schema: z.string().refine((v) => v === 'docker' || isCidr(v)).default(DEFAULT_NETWORK_POOL),
    fix: `use an IPv4 range such as ${DEFAULT_NETWORK_POOL} that your LAN and VPN do not use (each cluster takes a /24: a /16 holds 256), or docker to let Docker choose (about 30 networks per host)`,
  },
  logLevel: { flag: 'log-level', env: 'KUBELAB_LOG_LEVEL', schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), fix: 'use one of fatal, error, warn, info, debug, trace, silent' },
  instructorToken: { flag: 'instructor-token', env: 'KUBELAB_INSTRUCTOR_TOKEN', schema: z.string().min(12).max(200).optional(), fix: 'use at least 12 characters, or leave it unset to have one generated' },
} satisfies Record<keyof Config, Setting>;

/** Usage text for --help. */
export const CONFIG_USAGE = Object.values(SETTINGS as Record<string, Setting>)
  .map((s) => `  --${s.flag.padEnd(16)} ${s.env.padEnd(24)} ${s.fix}`)
  .join('\n');

/** Reads flags (`--port 8080`, `--no-gated`) and variables into a Config, or throws ConfigError. */
export function parseConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, cwd: string, machine: { freeMemoryBytes: number } = { freeMemoryBytes: freemem() }): Config {
  const options = Object.fromEntries(Object.values(SETTINGS as Record<string, Setting>).map((s) => [s.flag, { type: 'string' as const }]));
  let flags: Record<string, string | boolean | undefined>;
  const problems: string[] = [];
  try {
    const parsed = parseArgs({ args: [...argv], options: { ...options, 'no-gated': { type: 'boolean' } }, strict: true, allowPositionals: false });
    flags = parsed.values;
  } catch (error) {
    throw new ConfigError([`${error instanceof Error ? error.message : String(error)}; flags are:\n${CONFIG_USAGE}`]);
  }
  if (flags['no-gated']) flags.gated = 'false';

  const values: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTINGS as Record<string, Setting>)) {
    const flag = flags[setting.flag];
    const fromFlag = typeof flag === 'string';
    const raw = fromFlag ? flag : env[setting.env] === '' ? undefined : env[setting.env];
    const result = setting.schema.safeParse(typeof raw === 'string' ? raw.trim() : raw);
    if (result.success) values[key] = result.data;
    else problems.push(`${fromFlag ? `--${setting.flag}` : setting.env}=${JSON.stringify(raw)} is not valid: ${setting.fix}${fromFlag ? '' : ` (or unset ${setting.env})`}`);
  }
  if (problems.length) throw new ConfigError(problems);
  const config = values as unknown as Config;
  config.maxSessions ??= defaultMaxSessions(machine.freeMemoryBytes);
  if (config.idleMinutes > config.sessionMinutes) {
    problems.push(`KUBELAB_IDLE_MINUTES (${config.idleMinutes}) is longer than KUBELAB_SESSION_MINUTES (${config.sessionMinutes}); make it shorter, or raise the session length`);
  }
  if (config.poolSize > config.maxSessions) {
    problems.push(`the warm pool (KUBELAB_POOL_SIZE ${config.poolSize}) is larger than KUBELAB_MAX_SESSIONS (${config.maxSessions}); warm clusters take seats too, so make the pool smaller or allow more sessions`);
  }
  if (problems.length) throw new ConfigError(problems);
  return { ...config, dataDir: path.resolve(cwd, config.dataDir), lessonsRoot: path.resolve(cwd, config.lessonsRoot) };
}

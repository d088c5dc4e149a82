// `npm run setup`: prepares a host to run kubelab and its tests. Idempotent: every step first
// checks whether it is needed, and on a laptop where Docker already works it changes nothing and
// says so. Installing is only attempted on Debian-family hosts as root; elsewhere each missing
// piece is reported with what to do.
import { execa } from 'execa';
import { readFile, writeFile, mkdir, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HOST_DIR = path.dirname(fileURLToPath(import.meta.url));
const SHIM_PATH = '/usr/local/bin/kubelab-runc';
const DAEMON_JSON = '/etc/docker/daemon.json';
/** kind's known-issues page asks for these before running several clusters on one host. */
const INOTIFY = { 'fs.inotify.max_user_instances': 512, 'fs.inotify.max_user_watches': 524288 };

type StepResult = { changed: boolean; note: string };
interface Step {
  title: string;
  run: () => Promise<StepResult>;
}

const isRoot = process.getuid?.() === 0;

async function sh(cmd: string, args: string[], input?: string): Promise<{ ok: boolean; out: string }> {
  const r = await execa(cmd, args, { reject: false, all: true, ...(input !== undefined ? { input } : { stdin: 'ignore' as const }) });
  return { ok: r.exitCode === 0, out: String(r.all ?? '') };
}

async function has(cmd: string): Promise<boolean> {
  return (await sh('sh', ['-c', `command -v ${cmd}`])).ok;
}

async function isDebian(): Promise<boolean> {
  try {
    const osRelease = await readFile('/etc/os-release', 'utf8');
    return /^(ID|ID_LIKE)=.*debian/m.test(osRelease);
  } catch {
    return false;
  }
}

let aptUpdated = false;
async function aptInstall(packages: string[]): Promise<void> {
  if (!isRoot || !(await isDebian())) {
    throw new Error(`missing: ${packages.join(' ')}. Install them with your package manager (as root on Debian: apt-get install ${packages.join(' ')}), then re-run npm run setup.`);
  }
  if (!aptUpdated) {
    const u = await sh('apt-get', ['update', '-qq']);
    if (!u.ok) throw new Error(`apt-get update failed:\n${u.out}`);
    aptUpdated = true;
  }
  const r = await execa('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    reject: false,
    all: true,
    env: { DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.exitCode !== 0) throw new Error(`apt-get install ${packages.join(' ')} failed:\n${String(r.all).split('\n').slice(-15).join('\n')}`);
}

async function dockerWorks(): Promise<boolean> {
  return (await sh('docker', ['info', '--format', '{{.ServerVersion}}'])).ok;
}

/** Starts dockerd: through systemd where it is PID 1, else in the background with a log file. */
async function startDocker(): Promise<void> {
  const systemd = (await sh('sh', ['-c', '[ "$(cat /proc/1/comm)" = systemd ]'])).ok;
  if (systemd) {
    await sh('systemctl', ['enable', '--now', 'docker']);
    await sh('systemctl', ['restart', 'docker']);
  } else {
    await sh('sh', ['-c', 'pkill -x dockerd; for i in $(seq 1 50); do pgrep -x dockerd >/dev/null || break; sleep 0.2; done']);
    await mkdir('/var/log/kubelab', { recursive: true });
    await sh('sh', ['-c', 'nohup dockerd > /var/log/kubelab/dockerd.log 2>&1 &']);
  }
  for (let i = 0; i < 60; i++) {
    if (await dockerWorks()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('dockerd did not come up within 30 s; see /var/log/kubelab/dockerd.log (or journalctl -u docker)');
}

/**
 * Runs an empty privileged container. On hosts whose capability bounding set is smaller than
 * Docker's full list, runc fails with "unable to apply caps"; any other outcome means privileged
 * containers work (the entrypoint deliberately does not exist, so no image content is needed).
 */
async function privilegedFails(): Promise<boolean> {
  const probe = 'kubelab/probe:empty';
  if (!(await sh('docker', ['image', 'inspect', probe])).ok) {
    await sh('sh', ['-c', `tar -c -T /dev/null | docker import - ${probe}`]);
  }
  const r = await sh('docker', ['run', '--rm', '--privileged', '--network=none', probe, '/kubelab-probe']);
  return /unable to apply caps/.test(r.out);
}

const steps: Step[] = [
  {
    title: 'Docker engine',
    run: async () => {
      if (await dockerWorks()) return { changed: false, note: 'running' };
      const installed = !(await has('dockerd'));
      if (installed) await aptInstall(['docker.io']);
      await startDocker();
      return { changed: true, note: installed ? 'installed and started' : 'started' };
    },
  },
  {
    title: 'privileged containers (kind nodes need them)',
    run: async () => {
      if (!(await privilegedFails())) {
        const runtime = (await sh('docker', ['info', '--format', '{{.DefaultRuntime}}'])).out.trim();
        return { changed: false, note: runtime === 'kubelab-runc' ? `work, through kubelab's runtime shim (${SHIM_PATH})` : 'work as they are' };
      }
      if (!isRoot) throw new Error('privileged containers fail with "unable to apply caps"; run npm run setup as root to install the runtime shim');
      await installShim();
      await startDocker();
      if (await privilegedFails()) throw new Error('privileged containers still fail after installing the runtime shim; see /var/log/kubelab/dockerd.log');
      return { changed: true, note: `host lacks capabilities: installed ${SHIM_PATH} as Docker's default runtime` };
    },
  },
  {
    title: 'inotify limits for several clusters',
    run: async () => {
      const low: string[] = [];
      for (const [key, want] of Object.entries(INOTIFY)) {
        const current = Number((await sh('sysctl', ['-n', key])).out.trim());
        if (current < want) low.push(`${key}=${want}`);
      }
      if (low.length === 0) return { changed: false, note: 'already high enough' };
      if (!isRoot) throw new Error(`raise them as root: sysctl -w ${low.join(' ')}`);
      const r = await sh('sysctl', ['-w', ...low]);
      if (!r.ok) throw new Error(`sysctl -w ${low.join(' ')} failed: ${r.out}`);
      await writeFile('/etc/sysctl.d/99-kubelab.conf', `# kubelab: several kind clusters on one host\n${low.map((l) => l.replace('=', ' = ')).join('\n')}\n`).catch(() => undefined);
      return { changed: true, note: low.join(', ') };
    },
  },
  {
    title: 'image build tools (Go, debootstrap, gcc) for air-gapped builds',
    run: async () => {
      const missing: string[] = [];
      if (!(await has('debootstrap'))) missing.push('debootstrap');
      if (!(await has('gcc'))) missing.push('gcc', 'libc6-dev');
      if (missing.length > 0) await aptInstall(missing);
      const go = (await sh('go', ['env', 'GOVERSION'])).out.trim();
      const note = go ? `go ${go.replace(/^go/, '')}` : 'Go is missing: only needed where images cannot be pulled (install Go >= 1.24)';
      return { changed: missing.length > 0, note: missing.length ? `installed ${missing.join(' ')}; ${note}` : note };
    },
  },
  {
    title: 'Chromium for browser tests',
    run: async () => {
      if (await has('chromium')) return { changed: false, note: 'present' };
      await aptInstall(['chromium']);
      return { changed: true, note: 'installed' };
    },
  },
];

async function installShim(): Promise<void> {
  const build = await execa('go', ['build', '-trimpath', '-o', SHIM_PATH, '.'], {
    cwd: path.join(HOST_DIR, 'runc-shim'),
    env: { CGO_ENABLED: '0' },
    reject: false,
    all: true,
  });
  if (build.exitCode !== 0) throw new Error(`building the runtime shim failed (needs Go):\n${String(build.all)}`);
  let config: Record<string, unknown> = {};
  try {
    config = JSON.parse(await readFile(DAEMON_JSON, 'utf8')) as Record<string, unknown>;
    await copyFile(DAEMON_JSON, `${DAEMON_JSON}.before-kubelab`);
  } catch {
    // no daemon.json yet
  }
  await mkdir(path.dirname(DAEMON_JSON), { recursive: true });
  await writeFile(DAEMON_JSON, `${JSON.stringify(withShimRuntime(config, SHIM_PATH), null, 2)}\n`);
}

/** Docker's daemon.json with the shim registered as the default runtime, other settings kept. */
export function withShimRuntime(config: Record<string, unknown>, shimPath: string): Record<string, unknown> {
  const runtimes = { ...(config.runtimes as Record<string, unknown> | undefined), 'kubelab-runc': { path: shimPath } };
  return { ...config, runtimes, 'default-runtime': 'kubelab-runc' };
}

async function main(): Promise<void> {
  let changed = 0;
  let failed = 0;
  for (const [i, step] of steps.entries()) {
    const t0 = Date.now();
    process.stdout.write(`[${i + 1}/${steps.length}] ${step.title} … `);
    try {
      const result = await step.run();
      if (result.changed) changed++;
      console.log(`${result.changed ? 'changed' : 'ok'}: ${result.note} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
    } catch (error) {
      failed++;
      console.log(`FAILED\n      ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failed > 0) {
    console.log(`\nnpm run setup: ${failed} step(s) failed; fix them and run it again (it is safe to repeat).`);
    process.exitCode = 1;
  } else {
    console.log(changed === 0 ? '\nnpm run setup: nothing to change; this host is ready.' : `\nnpm run setup: ${changed} change(s) made; this host is ready.`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

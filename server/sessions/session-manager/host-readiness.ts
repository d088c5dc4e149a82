// Can this machine run labs? Docker, the kind CLI and kubelab's images, each probed with the
// command an operator would type, and each failure paired with the command that fixes it. The
// server serves the catalog either way; /healthz and the page say what is missing.
import type { CommandRunner } from '../../clusters/command.js';

/** One probe's verdict. */
export interface Probe {
  ok: boolean;
  detail: string;
  /** What to run to fix it, when not ok. */
  fix?: string;
}

/** The host's verdicts; `ready` when labs can start. */
export interface HostReadiness {
  ready: boolean;
  docker: Probe;
  kind: Probe;
  images: Probe;
}

/** What the probes need: the commands and the images labs use. */
export interface ReadinessOptions {
  run: CommandRunner;
  kind: string;
  images: string[];
  imagesMode: 'auto' | 'pull' | 'build';
}

const firstLine = (text: string) => text.trim().split('\n')[0] ?? '';

/** Runs the probes (a few hundred ms); never throws. */
export async function probeHost(options: ReadinessOptions): Promise<HostReadiness> {
  const attempt = async (file: string, args: string[]) => options.run(file, args, { timeoutMs: 10_000 }).catch((error: unknown) => ({ exitCode: 127, stdout: '', stderr: error instanceof Error ? error.message : String(error) }));
  const info = await attempt('docker', ['info', '--format', '{{.ServerVersion}}']);
  const docker: Probe = info.exitCode === 0
    ? { ok: true, detail: `Docker ${info.stdout.trim()}` }
    : { ok: false, detail: `Docker is not usable: ${firstLine(info.stderr) || `docker exited with ${info.exitCode}`}`, fix: 'npm run setup (installs and starts Docker), or start Docker' };
  const version = await attempt(options.kind, ['version']);
  const kind: Probe = version.exitCode === 0
    ? { ok: true, detail: firstLine(version.stdout) }
    : { ok: false, detail: `the kind CLI (${options.kind}) does not run: ${firstLine(version.stderr) || `exit ${version.exitCode}`}`, fix: 'npm run images (installs kind), or set KUBELAB_KIND to its path' };
  let images: Probe;
  if (!docker.ok) images = { ok: false, detail: 'unknown until Docker works', fix: 'npm run setup, then npm run images' };
  else {
    const missing: string[] = [];
    for (const image of options.images) if ((await attempt('docker', ['image', 'inspect', '--format', '{{.Id}}', image])).exitCode !== 0) missing.push(image);
    const fix = `npm run images${options.imagesMode === 'auto' ? '' : ` -- --mode ${options.imagesMode}`}`;
    images = missing.length ? { ok: false, detail: `missing from the local Docker engine: ${missing.join(', ')}`, fix } : { ok: true, detail: `${options.images.length} image(s) present` };
  }
  return { ready: docker.ok && kind.ok && images.ok, docker, kind, images };
}

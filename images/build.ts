// `npm run images`: makes every image kubelab needs present in the local Docker engine.
// Pulls from public registries where they answer (the normal path on a laptop), otherwise builds
// from Go modules and Debian packages only (air-gapped machines, and our CI). Re-runs are cheap:
// each target carries a content-addressed key and is skipped when the key is unchanged.
//
//   npm run images [-- --mode auto|pull|build] [--force] [--cold] [--only name,name]
//   --cold rebuilds every target and Docker layer; with empty GOCACHE/GOMODCACHE/KUBELAB_CACHE it
//   measures a first run on a new machine.
import { copyFile, mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cacheRoot, combineKey } from './build/cache.js';
import { BuildCommandError } from './build/runner.js';
import { type BuildContext, type Target, imageKey, kindBinary, readVersions, targets } from './build/targets.js';
import { run } from './build/runner.js';

/** Whether two files have the same bytes (false when either is missing). */
async function sameFile(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([readFile(a), readFile(b).catch(() => undefined)]);
  return y !== undefined && x.equals(y);
}

function elapsed(since: number): string {
  const s = (Date.now() - since) / 1000;
  return s < 90 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
}

async function tryPull(ctx: BuildContext, target: Target): Promise<boolean> {
  if (ctx.mode === 'build' || !target.upstream || ctx.registryReachable === false) return false;
  const refs = [target.upstream(ctx)].flat();
  const wanted = target.images(ctx);
  for (const [i, ref] of refs.entries()) {
    try {
      await run('docker', ['pull', ref], { label: `docker pull ${ref}`, progressLines: /^(Digest|Status):/ });
    } catch (error) {
      if (ctx.mode === 'pull') throw error;
      ctx.registryReachable = false;
      console.log(`      the registry did not answer (${firstLine(error)}); building locally from now on`);
      return false;
    }
    const tag = wanted[i];
    if (tag && tag !== ref) await run('docker', ['tag', ref, tag]);
  }
  ctx.registryReachable = true;
  return true;
}

function firstLine(error: unknown): string {
  const text = error instanceof BuildCommandError ? error.output : String(error);
  return (text.split('\n').find((l) => l.trim()) ?? '').slice(0, 160);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string', default: process.env.KUBELAB_IMAGES_MODE ?? 'auto' },
      force: { type: 'boolean', default: false },
      cold: { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  const mode = values.mode as BuildContext['mode'];
  if (!['auto', 'pull', 'build'].includes(mode)) throw new Error(`--mode must be auto, pull or build, not '${mode}'`);
  const ctx: BuildContext = { versions: await readVersions(), mode, force: values.force || values.cold, noCache: values.cold, keys: new Map() };
  const all = targets();
  const only = values.only ? new Set(values.only.split(',')) : undefined;
  const wanted = only ? closure(all, only) : all;
  const started = Date.now();
  console.log(`kubelab images: ${wanted.length} targets, mode ${mode}, cache ${cacheRoot()}`);

  console.log(`[0/${wanted.length}] kind CLI ${ctx.versions.kind}`);
  const kind = await kindBinary();
  const installed = path.join(cacheRoot(), 'bin', 'kind');
  await mkdir(path.dirname(installed), { recursive: true });
  if (await sameFile(kind, installed)) console.log(`      up to date: ${installed}`);
  else {
    // Copy beside it and rename over it: a running kind (a server, a test) keeps its old inode,
    // where copying onto the busy executable fails with ETXTBSY.
    const temporary = `${installed}.${process.pid}.tmp`;
    await copyFile(kind, temporary);
    await rename(temporary, installed);
    console.log(`      installed ${installed}`);
  }

  for (const [i, target] of wanted.entries()) {
    const step = `[${i + 1}/${wanted.length}] ${target.name}`;
    const t0 = Date.now();
    const key = combineKey(target.name, await target.inputs(ctx), target.deps.map((d) => ctx.keys.get(d) ?? d));
    ctx.keys.set(target.name, key);
    const refs = target.images(ctx);
    const present = await Promise.all(refs.map((r) => imageKey(r)));
    // An image we built carries its key; one pulled from its registry carries none and is pinned by its tag.
    const pulled = (k: string | undefined) => target.upstream !== undefined && (k === '' || k === '<no value>');
    if (!ctx.force && present.every((k) => k === key || pulled(k))) {
      console.log(`${step}: up to date (${refs.join(', ')})`);
      continue;
    }
    console.log(`${step}: ${refs.join(', ')}`);
    if (await tryPull(ctx, target)) {
      console.log(`      pulled in ${elapsed(t0)}`);
      continue;
    }
    if (ctx.mode === 'pull') throw new Error(`${target.name} has no public image to pull; run with --mode auto`);
    await target.build(ctx, key);
    console.log(`      built in ${elapsed(t0)}`);
  }
  console.log(`kubelab images: done in ${elapsed(started)}`);
}

/** The requested targets and everything they depend on, in dependency order. */
function closure(all: Target[], names: Set<string>): Target[] {
  const need = new Set<string>();
  const visit = (name: string): void => {
    if (need.has(name)) return;
    const t = all.find((x) => x.name === name);
    if (!t) throw new Error(`unknown target '${name}'; targets are: ${all.map((x) => x.name).join(', ')}`);
    need.add(name);
    t.deps.forEach(visit);
  };
  names.forEach(visit);
  return all.filter((t) => need.has(t.name));
}

main().catch((error: unknown) => {
  console.error(`\nkubelab images failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

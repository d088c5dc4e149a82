// Builds the whole server from its config and its parts: the Store, the catalog, the session
// manager (when a cluster provider is given), express routes, and socket.io for labs and
// terminals. Nothing listens here; main.ts does that, tests do it on a random port.
import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { type Logger, pino } from 'pino';
import { Server } from 'socket.io';
import { readVersions } from '../images/build/targets.js';
import { ClassroomService } from './classrooms/classroom-service.js';
import { ClassroomStore } from './classrooms/classroom-store.js';
import { InstructorAuth } from './classrooms/instructor-auth.js';
import type { Config } from './config.js';
import { classroomRoutes } from './http/classroom-routes.js';
import { attachClassroomSockets } from './http/classroom-socket.js';
import { HttpError, errorHandler } from './http/http-error.js';
import { labRoutes } from './http/lab-routes.js';
import { attachLabSocket, readinessMessage } from './http/lab-socket.js';
import { attachTerminalSocket, toolboxTerminalLauncher } from './http/terminal-socket.js';
import { VisitorTokens, visitorCookie } from './http/visitor.js';
import { type Lab, loadCatalog } from './lessons/load.js';
import {
  type Clock,
  type HostReadiness,
  SessionManager,
  type SessionManagerOptions,
  type SessionClusterProvider,
  type ToolboxHost,
  dockerToolboxHost,
  systemClock,
} from './sessions/session-manager.js';
import { Store, StoreError } from './store/store.js';
import { TERMINAL_MAX_HTTP_BUFFER_SIZE, TerminalRegistry } from './terminals/index.js';

/** The repository root, for dist/client. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** How long a readiness probe is trusted. */
const READINESS_TTL_MS = 15_000;
/** How long close() waits for sessions, sockets and the pool before giving up. */
const CLOSE_TIMEOUT_MS = 10_000;

/** The parts createApp does not build itself; without a provider the server serves the catalog only. */
export interface AppDeps {
  logger?: Logger;
  provider?: SessionClusterProvider;
  toolboxes?: ToolboxHost;
  /** Probes Docker, kind and images. */
  readiness: () => Promise<HostReadiness>;
  clock?: Clock;
  environment?: SessionManagerOptions['environment'];
  checks?: SessionManagerOptions['checks'];
  /** Health probe of each session's cluster (main.ts: Docker); without it lost clusters go unnoticed. */
  health?: SessionManagerOptions['health'];
  /** Node and toolbox images, and `warm`: workload images every warm cluster preloads; defaults to images/versions.json. */
  images?: { node: string; toolbox: string; warm?: string[] };
  /** Built browser app; defaults to dist/client. */
  clientDir?: string;
  /** Environment of terminal processes (PATH, HOME, LANG). */
  terminalEnv?: Record<string, string>;
  /** Shows a newly generated instructor token, once; defaults to the console. */
  announceInstructorToken?: (token: string) => void;
}

/** A built, not yet listening, server. */
export interface App {
  server: HttpServer;
  io: Server;
  /** The session manager, when this server can run labs. */
  sessions: SessionManager | undefined;
  /** Classrooms: their rules and the 15-second sweep (stuck seats, end time). */
  classrooms: ClassroomService;
  close(): Promise<void>;
}

/** Builds the server; await it before listening. */
export async function createApp(config: Config, deps: AppDeps): Promise<App> {
  const log = deps.logger ?? pino({ level: config.logLevel });
  const clock = deps.clock ?? systemClock;
  const store = new Store(path.join(config.dataDir, 'kubelab.db'), () => clock.now());
  const catalog = await loadCatalog(config.lessonsRoot);
  for (const problem of catalog.problems) log.warn(problem, 'lab skipped: run npx kubelab lint for details');
  const bySlug = new Map<string, Lab>([...catalog.lessons, ...catalog.scenarios].map((lab) => [lab.slug, lab]));
  const labs = { all: () => [...bySlug.values()], get: (slug: string) => bySlug.get(slug) };
  const tokens = new VisitorTokens();
  const instructorAuth = InstructorAuth.load(config.dataDir, config.instructorToken, deps.announceInstructorToken ?? announceToConsole, () => clock.now());
  const classroomStore = new ClassroomStore(store.file);
  let classrooms: ClassroomService | undefined;

  let checked: { at: number; readiness: HostReadiness } | undefined;
  let sessions: SessionManager | undefined;
  // The probes run docker and kind (seconds on a loaded host): after the first, a stale answer is
  // served at once while one refresh runs behind it, so /healthz never waits on them.
  let refreshing: Promise<HostReadiness> | undefined;
  const refresh = () =>
    (refreshing ??= (async () => {
      const wasReady = checked?.readiness.ready ?? false;
      checked = { at: clock.now(), readiness: await deps.readiness() };
      if (checked.readiness.ready && !wasReady) sessions?.warmUp();
      return checked.readiness;
    })().finally(() => (refreshing = undefined)));
  const readiness = async (): Promise<HostReadiness> => {
    if (!checked) return refresh();
    if (clock.now() - checked.at >= READINESS_TTL_MS) void refresh().catch((error: unknown) => log.warn({ err: error }, 'host readiness probe failed'));
    return checked.readiness;
  };

  const registry = new TerminalRegistry({ launch: toolboxTerminalLauncher(() => sessions, deps.terminalEnv ?? { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' }) });
  if (deps.provider) {
    let images = deps.images;
    if (!images) {
      const versions = await readVersions();
      images = { node: versions.node.image, toolbox: versions.toolbox.image, warm: versions.workloads };
    }
    sessions = new SessionManager({
      provider: deps.provider,
      store,
      toolboxes: deps.toolboxes ?? dockerToolboxHost(),
      labs: labs.get,
      nodeImage: images.node,
      toolboxImage: images.toolbox,
      sessionMinutes: config.sessionMinutes,
      idleMinutes: config.idleMinutes,
      gated: config.gated,
      poolSize: config.poolSize,
      ...(images.warm?.length && { warmImages: images.warm }),
      maxSessions: config.maxSessions,
      owner: config.owner,
      clock,
      log: log.child({ part: 'sessions' }),
      terminalActivity: (id) => registry.lastInputAt(id),
      policy: (visitorId, slug) => classrooms?.policy(visitorId, slug),
      resizablePool: true,
      ...(deps.environment && { environment: deps.environment }),
      ...(deps.checks && { checks: deps.checks }),
      ...(deps.health && { health: deps.health }),
    });
    const host = await readiness();
    if (host.docker.ok) await sessions.initialize();
    if (!host.ready) log.warn({ readiness: host }, readinessMessage(host));
  }

  classrooms = new ClassroomService({ store: classroomStore, labs: labs.get, sessions, now: () => clock.now(), log: log.child({ part: 'classrooms' }) });
  const classroomFeeds = [store.onProgress((e) => classrooms?.onProgress(e)), sessions?.onEvent((e) => classrooms?.onSession(e))];

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use((req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      const fields = { method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(performance.now() - started) };
      if (res.statusCode >= 500) log.error(fields, 'request');
      else if (req.path.startsWith('/api')) log.info(fields, 'request');
      else log.debug(fields, 'request');
    });
    next();
  });

  const clientDir = deps.clientDir ?? path.join(ROOT, 'dist', 'client');
  app.get('/healthz', async (_req, res) => {
    const host = await readiness();
    res.json({
      ok: true,
      labsAvailable: host.ready && sessions !== undefined,
      host,
      ...(!host.ready && { message: readinessMessage(host) }),
      sessions: sessions?.status() ?? null,
      catalog: { labs: bySlug.size, skipped: catalog.problems.length },
      store: store.unwritable ? { writable: false, message: store.unwritable.message } : { writable: true },
      client: existsSync(path.join(clientDir, 'index.html')) ? 'built' : 'not built: run npm run build',
    });
  });

  // Recording a visit is best-effort: on a full disk the catalog and lessons still load, and only
  // the writes that matter (Check, progress) answer STORE_UNWRITABLE; /healthz says why.
  let visitWarnedAt = -Infinity;
  const rememberVisit = (id: string): void => {
    try {
      store.touchVisitor(id);
    } catch (error) {
      if (!(error instanceof StoreError) || error.code !== 'STORE_UNWRITABLE') throw error;
      if (clock.now() - visitWarnedAt >= 60_000) {
        visitWarnedAt = clock.now();
        log.warn({ err: error.message }, 'cannot record visits; pages still load, progress is not saved until this is fixed');
      }
    }
  };
  app.use('/api', visitorCookie(rememberVisit));
  app.use('/lessons', visitorCookie(rememberVisit));
  app.use(labRoutes({ labs, store, tokens, gated: (visitorId, slug) => classrooms?.gatedFor(visitorId, slug) ?? config.gated, now: () => clock.now() }));
  app.use(classroomRoutes({ service: classrooms, auth: instructorAuth, now: () => clock.now() }));
  app.use('/api', () => {
    throw new HttpError(404, 'NOT_FOUND', 'no such API route');
  });

  if (existsSync(path.join(clientDir, 'index.html'))) {
    app.use(express.static(clientDir, { index: 'index.html', maxAge: '1h' }));
    app.get('/*page', (_req, res) => res.sendFile(path.join(clientDir, 'index.html')));
  } else {
    app.get('/', async (_req, res) => res.type('html').send(fallbackPage(await readiness(), [...bySlug.values()])));
  }
  app.use(errorHandler(log));

  const server = createServer(app);
  const io = new Server(server, { serveClient: false, maxHttpBufferSize: TERMINAL_MAX_HTTP_BUFFER_SIZE });
  const labSocket = attachLabSocket(io, { sessions, tokens, allowedOrigins: config.allowedOrigins, readiness, log });
  const terminals = sessions && attachTerminalSocket(io, { sessions, registry, allowedOrigins: config.allowedOrigins });
  const classroomSockets = attachClassroomSockets(io, { service: classrooms, auth: instructorAuth, tokens, registry, allowedOrigins: config.allowedOrigins });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const work = (async () => {
        labSocket.dispose();
        classroomSockets.dispose();
        for (const feed of classroomFeeds) feed?.dispose();
        classrooms?.dispose();
        await terminals?.dispose();
        await sessions?.dispose();
        await new Promise<void>((resolve) => void io.close(() => resolve()));
      })();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), CLOSE_TIMEOUT_MS)));
      if ((await Promise.race([work.then(() => 'done' as const), timeout])) === 'timeout') log.warn(`shutdown did not finish within ${CLOSE_TIMEOUT_MS / 1000} s; closing anyway`);
      clearTimeout(timer);
      server.closeAllConnections();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
      classroomStore.close();
      store.close();
    })());

  return { server, io, sessions, classrooms, close };
}

/** A generated instructor token goes to the console once: it is never stored in clear. */
function announceToConsole(token: string): void {
  console.log(`\n  kubelab instructor token (shown once; keep it): ${token}\n  Sign in at /#/instructor. Set KUBELAB_INSTRUCTOR_TOKEN to choose your own.\n`);
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page served when the browser app is not built: what works, what is missing, how to fix it. */
function fallbackPage(host: HostReadiness, labs: Lab[]): string {
  const probes = (['docker', 'kind', 'images'] as const).map((name) => {
    const p = host[name];
    return `<li>${p.ok ? '✓' : '✗'} <b>${name}</b>: ${escapeHtml(p.detail)}${p.fix ? ` — fix: <code>${escapeHtml(p.fix)}</code>` : ''}</li>`;
  });
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>kubelab</title>
<body style="font-family:system-ui;max-width:48rem;margin:2rem auto">
<h1>kubelab</h1>
<p>The browser app is not built: run <code>npm run build</code>, then reload.</p>
<h2>${host.ready ? 'This machine can run labs' : 'This machine cannot run labs yet'}</h2><ul>${probes.join('')}</ul>
<h2>Labs</h2><ul>${labs.map((l) => `<li>${escapeHtml(l.manifest.title)} (${l.manifest.minutes} min)</li>`).join('')}</ul>
<p><a href="/api/catalog">/api/catalog</a> · <a href="/healthz">/healthz</a></p></body></html>`;
}

// The lab events on socket.io: every connection is checked for its Origin and its visitor token
// (handshake `auth`), every payload is parsed with the protocol's schemas, and every request is
// answered through its acknowledgement with a result or a coded error. Session events (timer,
// end, cluster state) go to all of the visitor's sockets.
import type { Namespace, Server, Socket } from 'socket.io';
import type { z } from 'zod';
import {
  LAB_NAMESPACE,
  labHandshakeSchema,
  sessionActionSchema,
  startLabSchema,
  stepActionSchema,
  type Ack,
  type LabClientToServerEvents,
  type LabError,
  type LabServerToClientEvents,
} from '../../protocol/lab.js';
import type { HostReadiness } from '../sessions/session-manager.js';
import { SessionError, type SessionManager } from '../sessions/session-manager.js';
import { StoreError } from '../store/store.js';
import type { VisitorTokens } from './visitor.js';

type LabNamespace = Namespace<LabClientToServerEvents, LabServerToClientEvents, Record<string, never>, { visitorId: string }>;
type LabSocket = Socket<LabClientToServerEvents, LabServerToClientEvents, Record<string, never>, { visitorId: string }>;

/** What the lab socket needs from the app. */
export interface LabSocketOptions {
  /** undefined when this server runs without Docker (catalog only). */
  sessions: SessionManager | undefined;
  tokens: VisitorTokens;
  allowedOrigins: readonly string[];
  /** The host's readiness, fresh enough to refuse a start that cannot work. */
  readiness: () => Promise<HostReadiness>;
  log: { warn(fields: object, message: string): void; error(fields: object, message: string): void };
}

/** Pure: whether a browser Origin may open a socket to a server reached as `host`. */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true; // not a browser: no cross-site request to forge
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return parsed.host === host || allowed.includes(parsed.origin);
}

/** A connection refused in the handshake; the client sees `message` and `data.code`. */
function refusal(code: string, message: string): Error & { data: LabError } {
  return Object.assign(new Error(message), { data: { code, message } });
}

/** The readiness problems as one sentence with their fixes. */
export function readinessMessage(readiness: HostReadiness): string {
  const missing = [readiness.docker, readiness.kind, readiness.images].filter((p) => !p.ok);
  return `this machine cannot start labs yet: ${missing.map((p) => `${p.detail}${p.fix ? ` (fix: ${p.fix})` : ''}`).join('; ')}`;
}

/** Installs the lab namespace; dispose() removes its listeners and disconnects its sockets. */
export function attachLabSocket(io: Server, options: LabSocketOptions): { dispose(): void } {
  const lab = io.of(LAB_NAMESPACE) as unknown as LabNamespace;
  const { sessions } = options;
  const room = (visitorId: string) => `visitor:${visitorId}`;

  lab.use((socket, next) => {
    const { origin, host } = socket.handshake.headers;
    if (!originAllowed(origin, host, options.allowedOrigins)) return next(refusal('ORIGIN_REFUSED', `sockets from ${origin} are not allowed; open kubelab at its own address or add it to KUBELAB_ALLOWED_ORIGINS`));
    const auth = labHandshakeSchema.safeParse(socket.handshake.auth);
    if (!auth.success) return next(refusal('TOKEN_MISSING', 'the connection carries no token; fetch /api/me and pass its socketToken as auth.token'));
    const visitorId = options.tokens.verify(auth.data.token);
    if (!visitorId) return next(refusal('TOKEN_INVALID', 'the token was not issued by this server (it may have restarted); fetch /api/me again'));
    socket.data.visitorId = visitorId;
    next();
  });

  const toError = (error: unknown): LabError => {
    if (error instanceof SessionError) return { code: error.code, message: error.message };
    if (error instanceof StoreError) {
      options.log.error({ err: error }, 'lab request could not use the store');
      return { code: error.code, message: error.attendeeMessage };
    }
    options.log.error({ err: error }, 'lab request failed');
    return { code: 'INTERNAL', message: 'something went wrong on the server; the log has the details' };
  };

  lab.on('connection', (socket: LabSocket) => {
    const visitorId = socket.data.visitorId;
    void socket.join(room(visitorId));
    const current = sessions?.sessionOf(visitorId);
    if (current) {
      const { timer, cluster, ...ready } = current;
      socket.emit('lab:ready', ready);
      socket.emit('lab:timer', timer);
      if (cluster.state !== 'ready') socket.emit('lab:cluster', cluster);
    }

    // Validates the payload, runs the request, answers through the acknowledgement.
    const handle = <S extends z.ZodType, R extends object>(event: keyof LabClientToServerEvents, schema: S, run: (payload: z.output<S>, manager: SessionManager) => Promise<R> | R) => {
      socket.on(event, (async (payload: unknown, ack: unknown) => {
        if (typeof ack !== 'function') return;
        const reply = ack as (reply: Ack<R>) => void;
        const parsed = schema.safeParse(payload);
        if (!parsed.success) return reply({ ok: false, error: { code: 'BAD_REQUEST', message: `${event}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'} ${i.message}`).join('; ')}` } });
        if (!sessions) return reply({ ok: false, error: { code: 'HOST_NOT_READY', message: readinessMessage(await options.readiness()) } });
        try {
          if (event !== 'lab:start' && 'sessionId' in (parsed.data as object)) sessions.touch((parsed.data as { sessionId: string }).sessionId);
          reply({ ok: true, ...(await run(parsed.data, sessions)) });
        } catch (error) {
          reply({ ok: false, error: toError(error) });
        }
      }) as never);
    };

    handle('lab:start', startLabSchema, async ({ slug }, manager) => {
      const readiness = await options.readiness();
      if (!readiness.ready) throw new SessionError('HOST_NOT_READY', readinessMessage(readiness));
      const ready = await manager.start(visitorId, slug, (progress) => lab.to(room(visitorId)).emit('lab:progress', progress));
      lab.to(room(visitorId)).emit('lab:ready', ready);
      const current = manager.sessionOf(visitorId);
      if (current) lab.to(room(visitorId)).emit('lab:timer', current.timer);
      return ready;
    });
    handle('lab:check', sessionActionSchema, ({ sessionId }, manager) => manager.check(sessionId, visitorId));
    handle('lab:goto', stepActionSchema, ({ sessionId, step }, manager) => manager.goto(sessionId, visitorId, step));
    handle('lab:jump', stepActionSchema, ({ sessionId, step }, manager) => manager.jump(sessionId, visitorId, step));
    handle('lab:reset', sessionActionSchema, ({ sessionId }, manager) => manager.reset(sessionId, visitorId));
    handle('lab:recover', sessionActionSchema, ({ sessionId }, manager) => manager.recover(sessionId, visitorId));
    handle('lab:extend', sessionActionSchema, ({ sessionId }, manager) => manager.extend(sessionId, visitorId));
    handle('lab:end', sessionActionSchema, async ({ sessionId }, manager) => {
      await manager.end(sessionId, visitorId);
      return {};
    });
  });

  const subscription = sessions?.onEvent((event) => {
    const to = lab.to(room(event.visitorId));
    if (event.type === 'timer') to.emit('lab:timer', event.timer);
    else if (event.type === 'cluster') to.emit('lab:cluster', event.status);
    else to.emit('lab:ended', { sessionId: event.sessionId, reason: event.reason, message: event.message });
  });

  return {
    dispose() {
      subscription?.dispose();
      lab.disconnectSockets(true);
      lab.removeAllListeners('connection');
    },
  };
}

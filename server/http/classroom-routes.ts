// Classroom HTTP routes. /api/instructor/* needs the instructor cookie (from POST
// /api/instructor/login with the instructor token); /api/join and /api/classroom/* act for the
// visitor behind the visitor cookie. Both logins and joins are limited per IP by failures, so a
// room behind one NAT address joins freely while guessing stops after a few tries.
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { z } from 'zod';
import { consentSchema, createClassroomSchema, extendSchema, handSchema, joinSchema, messageSchema, paceSchema, seatsSchema, takeoverSchema } from '../../protocol/classroom.js';
import { ClassroomError, type ClassroomService } from '../classrooms/classroom-service.js';
import { INSTRUCTOR_COOKIE, INSTRUCTOR_SESSION_MS, type InstructorAuth } from '../classrooms/instructor-auth.js';
import { qrSvg } from '../classrooms/qr.js';
import { FailureLimiter } from '../classrooms/rate-limit.js';
import { HttpError } from './http-error.js';
import { parseCookies, visitorOf } from './visitor.js';

/** Wrong instructor tokens per IP per minute before logins wait. */
export const LOGIN_FAILURES_PER_MINUTE = 5;
/** Wrong join codes per IP per 10 minutes before joins wait. */
export const JOIN_FAILURES_PER_WINDOW = 10;
export const JOIN_WINDOW_MS = 10 * 60_000;

const STATUS: Record<ClassroomError['code'], number> = {
  NO_SUCH_CLASSROOM: 404,
  BAD_CODE: 404,
  CLASSROOM_FULL: 409,
  NOT_OPEN_YET: 403,
  CLASSROOM_CLOSED: 410,
  NO_SUCH_LAB: 400,
  NOT_IN_CLASSROOM: 404,
  BAD_TIMES: 400,
  NOT_ASKED: 409,
};

export interface ClassroomRouteOptions {
  service: ClassroomService;
  auth: InstructorAuth;
  now?: () => number;
}

/** Parses a JSON body with a schema, or answers 400 naming what is wrong. */
function body<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const parsed = schema.safeParse(req.body);
  if (!parsed.success) throw new HttpError(400, 'BAD_REQUEST', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return parsed.data;
}

/** Runs a handler, turning ClassroomErrors into their HTTP status. */
const handle = (fn: (req: Request, res: Response) => unknown): RequestHandler =>
  async (req, res, next) => {
    try {
      const result = await fn(req, res);
      if (result !== undefined && !res.headersSent) res.json(result);
    } catch (error) {
      if (error instanceof ClassroomError) next(new HttpError(STATUS[error.code], error.code, error.message));
      else next(error);
    }
  };

const tooMany = (res: Response, ms: number, what: string): never => {
  res.setHeader('Retry-After', String(Math.ceil(ms / 1000)));
  throw new HttpError(429, 'TOO_MANY_ATTEMPTS', `too many wrong ${what} from this address; try again in ${Math.ceil(ms / 1000)} s`);
};

export function classroomRoutes(options: ClassroomRouteOptions): Router {
  const { service, auth } = options;
  const now = options.now ?? Date.now;
  const logins = new FailureLimiter(LOGIN_FAILURES_PER_MINUTE, 60_000, now);
  const joins = new FailureLimiter(JOIN_FAILURES_PER_WINDOW, JOIN_WINDOW_MS, now);
  const router = express.Router();
  const json = express.json({ limit: '16kb' });
  const ip = (req: Request) => req.ip ?? 'unknown';

  const signedIn = (req: Request) => auth.verify('cookie', parseCookies(req.headers.cookie).get(INSTRUCTOR_COOKIE));
  const instructor: RequestHandler = (req, _res, next) => {
    if (!signedIn(req)) return next(new HttpError(401, 'INSTRUCTOR_ONLY', 'this needs the instructor: sign in at /#/instructor with the instructor token'));
    next();
  };
  // Instructor POSTs must be JSON: a cross-site form cannot send that without a preflight.
  const jsonOnly: RequestHandler = (req, _res, next) => {
    if (req.method === 'POST' && !req.is('application/json')) return next(new HttpError(415, 'JSON_ONLY', 'send the request as application/json'));
    next();
  };

  router.post('/api/instructor/login', json, handle((req, res) => {
    const wait = logins.retryAfter(ip(req));
    if (wait > 0) tooMany(res, wait, 'instructor tokens');
    const token = (req.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token.length > 200 || !auth.verifyToken(token)) {
      logins.fail(ip(req));
      throw new HttpError(403, 'WRONG_TOKEN', 'that is not the instructor token; it was printed when the server first started, or set with KUBELAB_INSTRUCTOR_TOKEN');
    }
    logins.reset(ip(req));
    res.setHeader('Set-Cookie', `${INSTRUCTOR_COOKIE}=${auth.issue('cookie')}; Path=/; Max-Age=${INSTRUCTOR_SESSION_MS / 1000}; HttpOnly; SameSite=Strict${req.secure ? '; Secure' : ''}`);
    return { signedIn: true };
  }));
  router.post('/api/instructor/logout', (_req, res) => {
    res.setHeader('Set-Cookie', `${INSTRUCTOR_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`);
    res.json({ signedIn: false });
  });
  router.get('/api/instructor/me', (req, res) => {
    res.json(signedIn(req) ? { signedIn: true, socketToken: auth.issue('socket') } : { signedIn: false });
  });

  const api = express.Router();
  api.use(instructor, jsonOnly, json);
  api.get('/capacity', handle(() => service.capacityEstimate()));
  api.get('/classrooms', handle(() => ({ classrooms: service.list(), capacity: service.capacityEstimate() })));
  api.post('/classrooms', handle((req) => service.create(body(createClassroomSchema, req))));
  api.get('/classrooms/:id', handle((req) => service.snapshot(String(req.params.id))));
  api.get('/classrooms/:id/qr.svg', handle((req, res) => {
    const c = service.get(String(req.params.id));
    res.type('image/svg+xml').setHeader('Cache-Control', 'no-store');
    res.send(qrSvg(`${req.protocol}://${req.get('host') ?? 'localhost'}${c.joinPath}`));
  }));
  api.post('/classrooms/:id/message', handle((req) => {
    const { text, visitors } = body(messageSchema, req);
    return { sent: service.message(String(req.params.id), text, visitors) };
  }));
  api.post('/classrooms/:id/hands/:hand/resolve', handle((req) => {
    service.resolveHand(String(req.params.id), Number(req.params.hand));
    return {};
  }));
  api.post('/classrooms/:id/reset', handle((req) => service.reset(String(req.params.id), body(seatsSchema, req).visitors)));
  api.post('/classrooms/:id/extend', handle((req) => {
    const { minutes, visitors } = body(extendSchema, req);
    return { extended: service.extend(String(req.params.id), minutes, visitors) };
  }));
  api.post('/classrooms/:id/pace', handle((req) => {
    service.pace(String(req.params.id), body(paceSchema, req).pace);
    return {};
  }));
  api.post('/classrooms/:id/takeover', handle((req) => {
    service.requestTakeover(String(req.params.id), body(takeoverSchema, req).visitor);
    return {};
  }));
  api.post('/classrooms/:id/takeover/release', handle((req) => {
    service.releaseTakeover(String(req.params.id), body(takeoverSchema, req).visitor);
    return {};
  }));
  api.post('/classrooms/:id/end', handle((req) => service.end(String(req.params.id))));
  api.get('/classrooms/:id/export.:format', handle((req, res) => {
    const format = req.params.format === 'csv' ? 'csv' : req.params.format === 'json' ? 'json' : undefined;
    if (!format) throw new HttpError(404, 'NOT_FOUND', 'exports are export.csv and export.json');
    const data = service.exportData(String(req.params.id), format);
    const name = service.get(String(req.params.id)).name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'classroom';
    res.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json');
    res.setHeader('Content-Disposition', `attachment; filename="kubelab-${name}.${format}"`);
    res.send(data);
  }));
  api.get('/classrooms/:id/summary', handle((req) => service.summary(String(req.params.id))));
  api.get('/classrooms/:id/timeline/:visitor', handle((req) => service.timeline(String(req.params.id), String(req.params.visitor))));
  router.use('/api/instructor', api);

  // Attendees: the visitor cookie is their identity; no account.
  router.post('/api/join', json, handle((req, res) => {
    const wait = joins.retryAfter(ip(req));
    if (wait > 0) tooMany(res, wait, 'join codes');
    const { code, displayName } = body(joinSchema, req);
    try {
      return { classroom: service.join(code, visitorOf(res), displayName) };
    } catch (error) {
      if (error instanceof ClassroomError && error.code === 'BAD_CODE') joins.fail(ip(req));
      throw error;
    }
  }));
  router.get('/api/classroom', handle((_req, res) => ({ classroom: service.attendeeView(visitorOf(res)) ?? null })));
  router.post('/api/classroom/hand', json, handle((req, res) => {
    const { raised, note } = body(handSchema, req);
    service.raiseHand(visitorOf(res), raised, note);
    return { raised };
  }));
  router.post('/api/classroom/consent', json, handle((req, res) => {
    service.consent(visitorOf(res), body(consentSchema, req).allow);
    return {};
  }));
  return router;
}

// Anonymous visitors: a random id in an httpOnly, SameSite=Lax cookie identifies the browser for
// HTTP; sockets cannot rely on cookies across proxies, so `GET /api/me` also hands out a socket
// token (the id signed with the server's secret) that the socket handshake carries in `auth`.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

/** The visitor cookie's name. */
export const VISITOR_COOKIE = 'kubelab_visitor';
const ID_PATTERN = /^[0-9a-f]{32}$/;
const ONE_YEAR_S = 365 * 24 * 3600;

/** The visitor id express handlers find on res.locals. */
export function visitorOf(res: Response): string {
  return (res.locals as { visitorId: string }).visitorId;
}

/** Parses a Cookie header into name → value (first occurrence wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(i + 1).trim());
  }
  return cookies;
}

/** Reads or issues the visitor cookie; `remember` records the visit. */
export function visitorCookie(remember: (visitorId: string) => void): RequestHandler {
  return (req, res, next) => {
    let id = parseCookies(req.headers.cookie).get(VISITOR_COOKIE);
    if (!id || !ID_PATTERN.test(id)) {
      id = randomBytes(16).toString('hex');
      res.setHeader('Set-Cookie', `${VISITOR_COOKIE}=${id}; Path=/; Max-Age=${ONE_YEAR_S}; HttpOnly; SameSite=Lax${req.secure ? '; Secure' : ''}`);
    }
    (res.locals as { visitorId: string }).visitorId = id;
    remember(id);
    next();
  };
}

/** Signs and verifies socket tokens with one secret (per server process unless given). */
export class VisitorTokens {
  constructor(private readonly secret: Buffer = randomBytes(32)) {}

  private mac(visitorId: string): string {
    return createHmac('sha256', this.secret).update(`visitor:${visitorId}`).digest('base64url');
  }

  /** The token for a visitor's sockets. */
  issue(visitorId: string): string {
    return `${visitorId}.${this.mac(visitorId)}`;
  }

  /** The visitor a token names, or undefined when it was not signed here. */
  verify(token: string): string | undefined {
    const [id = '', mac = ''] = token.split('.');
    if (!ID_PATTERN.test(id)) return undefined;
    const expected = Buffer.from(this.mac(id));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
  }
}

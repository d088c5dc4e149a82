// Who is the instructor: whoever knows the instructor token. It comes from --instructor-token /
// KUBELAB_INSTRUCTOR_TOKEN, or is generated on first start and printed once; only its scrypt hash
// is kept, in <data>/instructor.json, beside a secret that signs the instructor's cookie and socket
// tokens. Signatures cover the token's hash, so changing the token signs every instructor out.
import { createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JOIN_ALPHABET } from './join-code.js';

export const INSTRUCTOR_COOKIE = 'kubelab_instructor';
/** How long an instructor stays signed in: a workshop day. */
export const INSTRUCTOR_SESSION_MS = 12 * 3600_000;

interface Stored {
  salt: string;
  hash: string;
  secret: string;
}

const hashOf = (token: string, salt: string) => scryptSync(token, Buffer.from(salt, 'hex'), 32).toString('hex');

/** A token easy to type from a console: 20 characters of the join alphabet in groups of five. */
function generateToken(): string {
  const bytes = randomBytes(20);
  const chars = [...bytes].map((b) => JOIN_ALPHABET[b % JOIN_ALPHABET.length]).join('');
  return chars.match(/.{5}/g)!.join('-');
}

export class InstructorAuth {
  private constructor(
    private readonly stored: Stored,
    private readonly now: () => number,
  ) {}

  /**
   * Loads or creates <dataDir>/instructor.json. A configured token replaces the stored hash; with
   * none configured and none stored, a token is generated and handed to `announce` (once, ever).
   */
  static load(dataDir: string, configured: string | undefined, announce: (token: string) => void, now: () => number = Date.now): InstructorAuth {
    const file = path.join(dataDir, 'instructor.json');
    let stored: Stored | undefined;
    if (existsSync(file)) {
      try {
        stored = JSON.parse(readFileSync(file, 'utf8')) as Stored;
        if (!/^[0-9a-f]{64}$/.test(stored.hash) || !stored.salt || !stored.secret) stored = undefined;
      } catch {
        stored = undefined;
      }
      if (!stored) throw new Error(`${file} is damaged: delete it and restart to get a new instructor token, or set KUBELAB_INSTRUCTOR_TOKEN`);
    }
    const secret = stored?.secret ?? randomBytes(32).toString('hex');
    let token: string | undefined;
    if (configured !== undefined) {
      if (stored && timingSafeEqual(Buffer.from(hashOf(configured, stored.salt), 'hex'), Buffer.from(stored.hash, 'hex'))) return new InstructorAuth(stored, now);
      token = configured;
    } else if (!stored) token = generateToken();
    if (token !== undefined) {
      const salt = randomBytes(16).toString('hex');
      stored = { salt, hash: hashOf(token, salt), secret };
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
      chmodSync(file, 0o600);
      if (configured === undefined) announce(token);
    }
    return new InstructorAuth(stored!, now);
  }

  /** Constant-time check of a typed token. */
  verifyToken(token: string): boolean {
    const given = Buffer.from(hashOf(token.trim(), this.stored.salt), 'hex');
    return timingSafeEqual(given, Buffer.from(this.stored.hash, 'hex'));
  }

  private mac(purpose: string, expires: number): string {
    return createHmac('sha256', Buffer.from(this.stored.secret, 'hex')).update(`${purpose}:${expires}:${this.stored.hash}`).digest('base64url');
  }

  /** A signed value for the cookie or the socket handshake, valid for INSTRUCTOR_SESSION_MS. */
  issue(purpose: 'cookie' | 'socket'): string {
    const expires = this.now() + INSTRUCTOR_SESSION_MS;
    return `${expires}.${this.mac(purpose, expires)}`;
  }

  /** Whether a value from issue() is genuine and unexpired. */
  verify(purpose: 'cookie' | 'socket', value: string | undefined): boolean {
    const [expiresText = '', mac = ''] = (value ?? '').split('.');
    const expires = Number(expiresText);
    if (!/^\d{1,16}$/.test(expiresText) || expires <= this.now()) return false;
    const expected = Buffer.from(this.mac(purpose, expires));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

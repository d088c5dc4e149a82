// Join codes: what an attendee reads off a projector or a card and types on a phone. The alphabet
// leaves out 0, 1, I, L and O, which are misread for each other, and lower case; 8 characters of
// 31 give ~8.5e11 codes, which join rate limiting makes impossible to guess in a workshop.
import { randomInt } from 'node:crypto';

/** Characters of a join code: no 0, 1, I, L, O (and nothing lower-case). */
export const JOIN_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const JOIN_CODE_LENGTH = 8;

/** A fresh random code. */
export function newJoinCode(length = JOIN_CODE_LENGTH): string {
  let code = '';
  for (let i = 0; i < length; i++) code += JOIN_ALPHABET[randomInt(JOIN_ALPHABET.length)];
  return code;
}

/** Pure: the code an attendee meant, or undefined when it cannot be one; case, spaces and dashes are forgiven. */
export function normalizeJoinCode(typed: string): string | undefined {
  const code = typed.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== JOIN_CODE_LENGTH) return undefined;
  for (const c of code) if (!JOIN_ALPHABET.includes(c)) return undefined;
  return code;
}

/** A code as printed: two groups of four, easier to read aloud. */
export function formatJoinCode(code: string): string {
  return code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
}

import { describe, expect, it } from 'vitest';
import { solutionRevealed } from '../../../server/http/lab-routes.js';
import { originAllowed } from '../../../server/http/lab-socket.js';
import { VisitorTokens, parseCookies } from '../../../server/http/visitor.js';

describe('originAllowed', () => {
  it.each([
    [undefined, 'lab.test:3000', [], true],
    ['http://lab.test:3000', 'lab.test:3000', [], true],
    ['http://evil.example', 'lab.test:3000', [], false],
    ['http://lab.test:3001', 'lab.test:3000', [], false],
    ['https://public.example', '127.0.0.1:3000', ['https://public.example'], true],
    ['not a url', 'lab.test:3000', [], false],
  ])('Origin %s to host %s (allowed %j) → %s', (origin, host, allowed, expected) => {
    expect(originAllowed(origin, host, allowed)).toBe(expected);
  });
});

describe('VisitorTokens', () => {
  const id = 'a'.repeat(32);
  it('verifies its own tokens and refuses forged or foreign ones', () => {
    const tokens = new VisitorTokens();
    expect(tokens.verify(tokens.issue(id))).toBe(id);
    expect(tokens.verify(`${id}.forged`)).toBeUndefined();
    expect(tokens.verify(new VisitorTokens().issue(id))).toBeUndefined();
    expect(tokens.verify(tokens.issue(id).replace(/^a/, 'b'))).toBeUndefined();
  });
});

describe('parseCookies', () => {
  it('reads name=value pairs, first one wins', () => {
    expect([...parseCookies('a=1; kubelab_visitor=x; a=2; junk')]).toEqual([['a', '1'], ['kubelab_visitor', 'x']]);
  });
});

describe('solutionRevealed', () => {
  it.each([
    [{ gated: false, passed: false, attempts: 0 }, true],
    [{ gated: true, passed: true, attempts: 1 }, true],
    [{ gated: true, passed: false, attempts: 2 }, false],
    [{ gated: true, passed: false, attempts: 3 }, true],
  ])('%j → %s', (state, expected) => {
    expect(solutionRevealed(state)).toBe(expected);
  });
});

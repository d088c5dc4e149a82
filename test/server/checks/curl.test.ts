import { describe, expect, it } from 'vitest';
import { curlScript, parseCurlOutcome } from '../../../server/checks/curl.js';

describe('curl for URL checks', () => {
  it('quotes the URL so the shell cannot run anything in it, and rounds the timeout up to seconds', () => {
    const script = curlScript("http://web.test/?q='; rm -rf /", 1500);
    expect(script).toContain(`-- 'http://web.test/?q='\\''; rm -rf /'`);
    expect(script).toContain('--max-time 2');
  });

  it.each([
    [{ exitCode: 0, output: '200\n<h1>Welcome</h1>\nsecond line' }, { answer: { status: 200, body: '<h1>Welcome</h1>\nsecond line' } }],
    [{ exitCode: 0, output: '404\n' }, { answer: { status: 404, body: '' } }],
    [{ exitCode: 0, output: '204' }, { answer: { status: 204, body: '' } }],
    [{ exitCode: 6, output: 'curl: (6) Could not resolve host: shop.localtest.me' }, { error: 'Could not resolve host: shop.localtest.me' }],
    [{ exitCode: 7, output: '' }, { error: 'curl exited 7' }],
    [{ exitCode: 0, output: '000\n' }, { error: 'no HTTP answer' }],
    [{ exitCode: 0, output: 'bash: curl: command not found' }, { error: 'bash: curl: command not found' }],
  ])('reads %j', (outcome, expected) => {
    expect(parseCurlOutcome(outcome)).toEqual(expected);
  });
});

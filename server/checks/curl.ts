// URL checks fetch from the attendee's toolbox, where ingress hosts resolve as they do for the
// attendee. The request is a curl command built here and parsed back here; both sides are pure.
import type { HttpAnswer } from './cluster-reader.js';
import type { ScriptOutcome } from './script-runner.js';

/** The most bytes of a response body the toolbox sends back. */
export const CURL_BODY_LIMIT = 64 * 1024;

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A bash snippet that GETs `url` and prints the status code on the first line, then the body. */
export function curlScript(url: string, timeoutMs: number): string {
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  return [
    'body=$(mktemp)',
    `trap 'rm -f "$body"' EXIT`,
    `status=$(curl -sS -o "$body" -w '%{http_code}' --max-time ${seconds} -- ${shellQuote(url)}) || exit $?`,
    `printf '%s\\n' "$status"`,
    `head -c ${CURL_BODY_LIMIT} "$body"`,
  ].join('\n');
}

/** The answer curl got, or why it got none (curl's own error, such as a host that does not resolve). */
export function parseCurlOutcome(outcome: ScriptOutcome): { answer: HttpAnswer } | { error: string } {
  const newline = outcome.output.indexOf('\n');
  const first = newline === -1 ? outcome.output : outcome.output.slice(0, newline);
  if (outcome.exitCode !== 0 || !/^\d{3}$/.test(first.trim())) {
    const said = outcome.output.trim() || `curl exited ${outcome.exitCode}`;
    return { error: said.replace(/^curl: \(\d+\) /, '') };
  }
  const status = Number(first.trim());
  if (status === 0) return { error: 'no HTTP answer' };
  return { answer: { status, body: newline === -1 ? '' : outcome.output.slice(newline + 1) } };
}

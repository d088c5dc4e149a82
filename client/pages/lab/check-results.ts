// The answer to Check: one row per condition with a pass or fail mark, the server's sentence,
// expected against actual when they differ, and the hint that fits what the cluster shows.
import type { CheckReply } from '../../../protocol/lab.js';
import { ICONS, el, icon } from '../../dom.js';

/** The result list for one press of Check. */
export function checkResults(reply: CheckReply, noun: 'Step' | 'Task' = 'Step'): HTMLElement {
  const failed = reply.results.filter((r) => !r.passed).length;
  const summary = reply.passed ? `${noun} ${reply.step} passed.` : `${failed} of ${reply.results.length} ${reply.results.length === 1 ? 'check' : 'checks'} still failing.`;
  return el(
    'section',
    { class: `check-results ${reply.passed ? 'passed' : 'failed'}`, 'aria-label': 'Check results' },
    el('p', { class: 'check-summary' }, summary),
    el(
      'ul',
      {},
      ...reply.results.map((r) =>
        el(
          'li',
          { class: `check-row ${r.passed ? 'pass' : 'fail'}`, 'data-check': r.id },
          el('span', { class: 'check-mark' }, icon(r.passed ? ICONS.check : ICONS.cross), el('span', { class: 'sr-only' }, r.passed ? 'Passed: ' : 'Failed: ')),
          el(
            'div',
            { class: 'check-body' },
            el('strong', {}, r.title),
            r.message ? el('p', {}, r.message) : null,
            !r.passed && (r.expected !== undefined || r.actual !== undefined)
              ? el('dl', { class: 'expected-actual' }, el('dt', {}, 'Expected'), el('dd', {}, el('code', {}, r.expected ?? '—')), el('dt', {}, 'Actual'), el('dd', {}, el('code', {}, r.actual ?? '—')))
              : null,
            !r.passed && r.hint ? el('p', { class: 'hint' }, el('span', { class: 'hint-label' }, 'Hint '), r.hint) : null,
          ),
        ),
      ),
    ),
  );
}

/** A refusal or failure of Check itself (no session, server error), in the same place. */
export function checkProblem(message: string): HTMLElement {
  return el('section', { class: 'check-results failed', role: 'alert' }, el('p', { class: 'check-summary' }, message));
}

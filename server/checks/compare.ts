// Comparators shared by field, count and where: what the author expects, in words, and whether
// an observed value meets it. Values are compared as the text kubectl would print.
import type { Comparator } from './spec.js';

/** The outcome of one comparison, with the expectation phrased for an attendee. */
export interface Comparison {
  passed: boolean;
  expected: string;
}

function scalarText(value: string | number | boolean): string {
  return String(value);
}

/** The expectation in words: `Running`, `one of A, B`, `at least 3`, `matching /^web-/`. */
export function describeExpectation(comparator: Comparator): string {
  if (comparator.equals !== undefined) return scalarText(comparator.equals) === '' ? 'empty' : scalarText(comparator.equals);
  if (comparator.matches !== undefined) return `matching /${comparator.matches}/`;
  if (comparator.oneOf !== undefined) return `one of ${comparator.oneOf.map(scalarText).join(', ')}`;
  if (comparator.atLeast !== undefined && comparator.atMost !== undefined) return `between ${comparator.atLeast} and ${comparator.atMost}`;
  if (comparator.atLeast !== undefined) return `at least ${comparator.atLeast}`;
  if (comparator.atMost !== undefined) return `at most ${comparator.atMost}`;
  return 'anything';
}

/** Compares the observed text with the comparator; numbers are compared as numbers. */
export function compare(actual: string, comparator: Comparator): Comparison {
  const expected = describeExpectation(comparator);
  if (comparator.equals !== undefined) return { passed: actual === scalarText(comparator.equals), expected };
  if (comparator.matches !== undefined) return { passed: new RegExp(comparator.matches).test(actual), expected };
  if (comparator.oneOf !== undefined) return { passed: comparator.oneOf.map(scalarText).includes(actual), expected };
  const number = actual.trim() === '' ? Number.NaN : Number(actual);
  if (Number.isNaN(number)) return { passed: false, expected: `a number ${expected}` };
  const aboveMin = comparator.atLeast === undefined || number >= comparator.atLeast;
  const belowMax = comparator.atMost === undefined || number <= comparator.atMost;
  return { passed: aboveMin && belowMax, expected };
}

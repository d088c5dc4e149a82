// The JSONPath that kubectl users already write in `-o jsonpath=...`, so a check's `path` reads
// exactly like the command an attendee would type: {.status.phase}, {.spec.containers[0].image},
// {.items[*].metadata.name}, {.metadata.labels['app.kubernetes.io/name']},
// {.status.conditions[?(@.type=="Ready")].status}, recursive {..image}. No range/end templates:
// an expression yields a list of values, and text is what kubectl would print for them.

/** A JSONPath that cannot be parsed; `code` tells callers it is the author's mistake. */
export class JsonPathError extends Error {
  readonly code = 'invalid-jsonpath';
  constructor(
    readonly expression: string,
    problem: string,
  ) {
    super(`JSONPath ${expression}: ${problem}; write it like {.status.phase} or {.items[*].metadata.name}`);
    this.name = 'JsonPathError';
  }
}

type Literal = string | number | boolean | null;
type FilterOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** One step of a parsed path. */
export type JsonPathSegment =
  | { type: 'child'; key: string }
  | { type: 'index'; index: number }
  | { type: 'slice'; start: number | undefined; end: number | undefined }
  | { type: 'wildcard' }
  | { type: 'recursive'; key: string | undefined }
  | { type: 'filter'; path: JsonPathSegment[]; operator: FilterOperator | undefined; value: Literal };

class Cursor {
  position = 0;
  constructor(
    readonly text: string,
    readonly expression: string,
  ) {}
  peek(offset = 0): string {
    return this.text[this.position + offset] ?? '';
  }
  done(): boolean {
    return this.position >= this.text.length;
  }
  skipSpaces(): void {
    while (this.peek() === ' ') this.position += 1;
  }
  expect(token: string): void {
    if (!this.text.startsWith(token, this.position)) this.fail(`expected ${token} at position ${this.position + 1}`);
    this.position += token.length;
  }
  fail(problem: string): never {
    throw new JsonPathError(this.expression, problem);
  }
}

const NAME = /[A-Za-z0-9_$-]/;

function readName(cursor: Cursor): string {
  const start = cursor.position;
  while (!cursor.done() && NAME.test(cursor.peek())) cursor.position += 1;
  if (cursor.position === start) cursor.fail(`expected a field name at position ${start + 1}`);
  return cursor.text.slice(start, cursor.position);
}

function readQuoted(cursor: Cursor): string {
  const quote = cursor.peek();
  cursor.position += 1;
  let value = '';
  while (!cursor.done() && cursor.peek() !== quote) {
    if (cursor.peek() === '\\') cursor.position += 1;
    value += cursor.peek();
    cursor.position += 1;
  }
  if (cursor.done()) cursor.fail('a quoted name or value is not closed');
  cursor.position += 1;
  return value;
}

function readInteger(cursor: Cursor): number | undefined {
  const match = /^-?\d+/.exec(cursor.text.slice(cursor.position));
  if (!match) return undefined;
  cursor.position += match[0].length;
  return Number(match[0]);
}

function readLiteral(cursor: Cursor): Literal {
  cursor.skipSpaces();
  const next = cursor.peek();
  if (next === '"' || next === "'") return readQuoted(cursor);
  const match = /^(-?\d+(?:\.\d+)?|true|false|null)/.exec(cursor.text.slice(cursor.position));
  if (!match?.[0]) cursor.fail(`expected a quoted string, number, true, false or null at position ${cursor.position + 1}`);
  cursor.position += match[0].length;
  return JSON.parse(match[0]) as Literal;
}

function readFilter(cursor: Cursor): JsonPathSegment {
  cursor.expect('?(');
  cursor.skipSpaces();
  cursor.expect('@');
  const path = readSegments(cursor, (c) => c.peek() === ')' || c.peek() === ' ' || /[=!<>]/.test(c.peek()));
  cursor.skipSpaces();
  const operator = /^(==|!=|<=|>=|<|>)/.exec(cursor.text.slice(cursor.position))?.[0] as FilterOperator | undefined;
  let value: Literal = null;
  if (operator) {
    cursor.position += operator.length;
    value = readLiteral(cursor);
    cursor.skipSpaces();
  }
  cursor.expect(')');
  return { type: 'filter', path, operator, value };
}

function readBracket(cursor: Cursor): JsonPathSegment {
  cursor.expect('[');
  cursor.skipSpaces();
  let segment: JsonPathSegment;
  const next = cursor.peek();
  if (next === '*') {
    cursor.position += 1;
    segment = { type: 'wildcard' };
  } else if (next === '"' || next === "'") {
    segment = { type: 'child', key: readQuoted(cursor) };
  } else if (next === '?') {
    segment = readFilter(cursor);
  } else {
    const start = readInteger(cursor);
    if (cursor.peek() === ':') {
      cursor.position += 1;
      segment = { type: 'slice', start, end: readInteger(cursor) };
    } else if (start === undefined) {
      cursor.fail(`expected an index, *, a quoted name or a ?() filter at position ${cursor.position + 1}`);
    } else {
      segment = { type: 'index', index: start };
    }
  }
  cursor.skipSpaces();
  cursor.expect(']');
  return segment;
}

function readSegments(cursor: Cursor, stop: (cursor: Cursor) => boolean): JsonPathSegment[] {
  const segments: JsonPathSegment[] = [];
  while (!cursor.done() && !stop(cursor)) {
    const next = cursor.peek();
    if (next === '.' && cursor.peek(1) === '.') {
      cursor.position += 2;
      if (cursor.peek() === '*') {
        cursor.position += 1;
        segments.push({ type: 'recursive', key: undefined });
      } else if (cursor.peek() === '[') {
        segments.push({ type: 'recursive', key: undefined });
      } else {
        segments.push({ type: 'recursive', key: readName(cursor) });
      }
    } else if (next === '.') {
      cursor.position += 1;
      if (cursor.peek() === '*') {
        cursor.position += 1;
        segments.push({ type: 'wildcard' });
      } else if (cursor.peek() === '[' || cursor.done() || stop(cursor)) {
        // "{.}" and ".[0]" address the current value itself.
      } else {
        segments.push({ type: 'child', key: readName(cursor) });
      }
    } else if (next === '[') {
      segments.push(readBracket(cursor));
    } else {
      cursor.fail(`unexpected '${next}' at position ${cursor.position + 1}`);
    }
  }
  return segments;
}

/** Parses `{.a.b[0]}` (braces and a leading `$` optional) into segments; throws JsonPathError. */
export function parseJsonPath(expression: string): JsonPathSegment[] {
  let text = expression.trim();
  if (text.startsWith('{')) {
    if (!text.endsWith('}')) throw new JsonPathError(expression, 'the opening { has no closing }');
    text = text.slice(1, -1).trim();
  }
  if (text.startsWith('$')) text = text.slice(1);
  if (text === '') throw new JsonPathError(expression, 'the path is empty');
  if (!text.startsWith('.') && !text.startsWith('[')) text = `.${text}`;
  const cursor = new Cursor(text, expression);
  return readSegments(cursor, () => false);
}

function children(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return Object.values(value);
  return [];
}

function descendants(value: unknown): unknown[] {
  const found: unknown[] = [value];
  for (const child of children(value)) found.push(...descendants(child));
  return found;
}

function compareLiteral(actual: unknown, operator: FilterOperator, expected: Literal): boolean {
  if (operator === '==' || operator === '!=') {
    // kubectl compares a number field with a quoted number as equal text; do the same.
    const equal = actual === expected || (actual !== null && expected !== null && typeof actual !== 'object' && String(actual) === String(expected));
    return operator === '==' ? equal : !equal;
  }
  const a = typeof actual === 'number' ? actual : Number(actual);
  const b = typeof expected === 'number' ? expected : Number(expected);
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  switch (operator) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

function step(values: unknown[], segment: JsonPathSegment): unknown[] {
  const out: unknown[] = [];
  for (const value of values) {
    switch (segment.type) {
      case 'child':
        if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, segment.key)) {
          out.push((value as Record<string, unknown>)[segment.key]);
        }
        break;
      case 'index':
        if (Array.isArray(value)) {
          const item = value.at(segment.index);
          if (item !== undefined) out.push(item);
        }
        break;
      case 'slice':
        if (Array.isArray(value)) out.push(...value.slice(segment.start ?? 0, segment.end ?? value.length));
        break;
      case 'wildcard':
        out.push(...children(value));
        break;
      case 'recursive':
        for (const node of descendants(value)) {
          if (segment.key === undefined) out.push(...children(node));
          else out.push(...step([node], { type: 'child', key: segment.key }));
        }
        break;
      case 'filter':
        for (const item of Array.isArray(value) ? value : [value]) {
          const found = evaluateSegments(segment.path, item);
          const keep = segment.operator === undefined ? found.length > 0 : found.some((f) => compareLiteral(f, segment.operator!, segment.value));
          if (keep) out.push(item);
        }
        break;
    }
  }
  return out;
}

function evaluateSegments(segments: JsonPathSegment[], data: unknown): unknown[] {
  return segments.reduce<unknown[]>((values, segment) => step(values, segment), [data]);
}

/** Every value the expression finds in `data`, in document order; empty when nothing matches. */
export function evaluateJsonPath(expression: string, data: unknown): unknown[] {
  return evaluateSegments(parseJsonPath(expression), data);
}

/** A value as kubectl prints it: strings bare, objects and lists as JSON. */
export function formatJsonPathValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value);
}

/** The text `kubectl get -o jsonpath=EXPR` prints: the values separated by single spaces. */
export function jsonPathText(values: readonly unknown[]): string {
  return values.map(formatJsonPathValue).join(' ');
}

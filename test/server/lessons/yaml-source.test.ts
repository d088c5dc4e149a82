import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatPath } from '../../../server/lessons/problems.js';
import { parseYamlSource, splitFrontMatter, validateSource } from '../../../server/lessons/yaml-source.js';

describe('splitFrontMatter', () => {
  it('separates the YAML between --- lines from the markdown and says where each starts', () => {
    const text = '---\ntitle: A\nchecks: []\n---\n\n# Body\n';
    expect(splitFrontMatter(text)).toEqual({ frontMatter: 'title: A\nchecks: []\n', frontMatterLine: 2, body: '\n# Body\n', bodyLine: 5 });
  });

  it('treats a file without an opening --- as markdown only', () => {
    expect(splitFrontMatter('# Title\n---\n')).toEqual({ frontMatter: undefined, frontMatterLine: 1, body: '# Title\n---\n', bodyLine: 1 });
  });

  it('accepts empty front matter and Windows line ends', () => {
    expect(splitFrontMatter('---\r\n---\r\nx')).toMatchObject({ frontMatter: '', body: 'x', bodyLine: 3 });
  });
});

describe('parseYamlSource', () => {
  const text = 'title: A\nsteps:\n  - id: one\n    kind: feild\n  - id: two\n';

  it('locates a key inside a list item at its line and column', () => {
    expect(parseYamlSource(text, 'f.yaml').locate(['steps', 0, 'kind'])).toEqual({ line: 4, column: 5 });
  });

  it('locates a list item at its first character', () => {
    expect(parseYamlSource(text, 'f.yaml').locate(['steps', 1])).toEqual({ line: 5, column: 5 });
  });

  it('falls back to the nearest existing parent for a missing key', () => {
    expect(parseYamlSource(text, 'f.yaml').locate(['steps', 1, 'kind'])).toEqual({ line: 5, column: 5 });
  });

  it('shifts lines by where the YAML starts in its file', () => {
    expect(parseYamlSource(text, 'f.md', 2).locate(['steps', 0, 'kind'])).toEqual({ line: 5, column: 5 });
  });

  it('reports a syntax error with its position and gives no data', () => {
    const source = parseYamlSource('title: A\nlist: [a, b\n', 'f.yaml');
    expect(source.data).toBeUndefined();
    expect(source.problems[0]).toMatchObject({ file: 'f.yaml', line: 3 });
    expect(source.problems[0]?.message).toMatch(/^YAML: /);
  });

  it('reports a duplicated key as an error', () => {
    const source = parseYamlSource('title: A\ntitle: B\n', 'f.yaml');
    expect(source.problems).toHaveLength(1);
    expect(source.problems[0]).toMatchObject({ line: 2, column: 1 });
  });
});

describe('validateSource', () => {
  const schema = z.strictObject({ title: z.string(), level: z.enum(['low', 'high']), count: z.number().max(3) });

  it('names file, position, field and the fix for each issue', () => {
    const source = parseYamlSource('level: medium\ncount: 9\ntitel: x\n', 'a/lesson.yaml');
    expect(validateSource(schema, source).problems).toEqual([
      { file: 'a/lesson.yaml', line: 1, column: 1, message: 'title: missing; add it (expected string)' },
      { file: 'a/lesson.yaml', line: 1, column: 1, message: "level: 'medium' is not allowed; use one of low, high" },
      { file: 'a/lesson.yaml', line: 2, column: 1, message: 'count: Too big: expected number to be <=3' },
      { file: 'a/lesson.yaml', line: 3, column: 1, message: "titel: unknown field 'titel'; check its spelling or remove it" },
    ]);
  });

  it('returns the parsed value when the file is valid', () => {
    expect(validateSource(schema, parseYamlSource('title: x\nlevel: low\ncount: 1\n', 'f')).value).toEqual({ title: 'x', level: 'low', count: 1 });
  });

  it('says what it got when a value has the wrong type', () => {
    const problems = validateSource(schema, parseYamlSource('title: [a]\nlevel: low\ncount: 1\n', 'f')).problems;
    expect(problems).toEqual([{ file: 'f', line: 1, column: 1, message: 'title: expected string, got a list' }]);
  });
});

describe('formatPath', () => {
  it('writes list indexes in brackets and keys with dots', () => {
    expect(formatPath(['checks', 0, 'hints', 1, 'when'])).toBe('checks[0].hints[1].when');
  });
});

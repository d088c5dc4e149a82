// Fenced code blocks carry their actions in the info string (```` ```bash run terminal=2 ````), the
// way Killercoda's `{{exec}}` and Educates' `terminal:execute` do; this reads that string.

/** What a fenced block's info string says: its language and its attributes. */
export interface InfoString {
  /** First word, e.g. `bash`; empty when the block names no language. */
  language: string;
  /** `run` → `true`, `terminal=2` → `'2'`, `title="a b"` → `'a b'`. */
  attributes: Record<string, string | true>;
}

const token = /([^\s=]+)(?:=(?:"([^"]*)"|'([^']*)'|(\S*)))?/g;

/** Splits an info string into a language and `key` / `key=value` attributes. */
export function parseInfoString(info: string): InfoString {
  const words = [...info.trim().matchAll(token)];
  const attributes: Record<string, string | true> = {};
  let language = '';
  words.forEach((match, index) => {
    const [, key = '', doubleQuoted, singleQuoted, bare] = match;
    const value = doubleQuoted ?? singleQuoted ?? bare;
    if (index === 0 && value === undefined) language = key;
    else attributes[key] = value ?? true;
  });
  return { language, attributes };
}

// Fenced code blocks become a copyable block, and with `run` in the info string a Run button that
// pastes the command into the attendee's terminal and executes it.
import type MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';
import { escapeHtml } from 'markdown-it/lib/common/utils.mjs';
import { parseInfoString } from './info-string.js';
import type { RenderEnv } from './render-env.js';

/** Info-string attributes a code block may carry. */
export const CODE_BLOCK_ATTRIBUTES = ['run', 'terminal'] as const;
/** Terminals an attendee can have open at once. */
export const MAX_TERMINALS = 4;

function renderFence(tokens: Token[], index: number, _options: unknown, env: RenderEnv): string {
  const token = tokens[index]!;
  const { language, attributes } = parseInfoString(token.info);
  const line = (token.map?.[0] ?? 0) + 1;
  for (const key of Object.keys(attributes)) {
    if (!(CODE_BLOCK_ATTRIBUTES as readonly string[]).includes(key)) {
      env.problems.push({ line, message: `unknown code block attribute '${key}'; use ${CODE_BLOCK_ATTRIBUTES.join(' or ')}` });
    }
  }
  let terminal = 1;
  if (attributes['terminal'] !== undefined) {
    const wanted = Number(attributes['terminal']);
    if (Number.isInteger(wanted) && wanted >= 1 && wanted <= MAX_TERMINALS) terminal = wanted;
    else env.problems.push({ line, message: `terminal=${String(attributes['terminal'])} is not a terminal; use a number from 1 to ${MAX_TERMINALS}` });
  }
  const command = token.content.replace(/\n$/, '');
  const safeLanguage = /^[\w+-]+$/.test(language) ? language : '';
  const codeClass = safeLanguage ? ` class="language-${safeLanguage}"` : '';
  const commandAttribute = escapeHtml(command);
  let buttons = `<button type="button" class="code-copy" data-command="${commandAttribute}">Copy</button>`;
  if (attributes['run'] === true) {
    const runnable = { index: env.runnableBlocks.length, command, language: safeLanguage, terminal, line };
    env.runnableBlocks.push(runnable);
    buttons += `<button type="button" class="code-run" data-command="${commandAttribute}" data-terminal="${terminal}" data-block="${runnable.index}">Run</button>`;
  }
  return `<div class="code-block"><pre><code${codeClass}>${escapeHtml(token.content)}</code></pre><div class="code-actions">${buttons}</div></div>\n`;
}

/** Replaces markdown-it's fence renderer with kubelab's. */
export function useCodeBlocks(md: MarkdownIt): void {
  md.renderer.rules.fence = renderFence;
}

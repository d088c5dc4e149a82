// `::: hint Title`, `::: solution` and `::: note|tip|warning|danger` blocks: collapsible help and
// admonitions written in plain markdown, so a lesson reads well in a text editor and a GitHub diff.
import type MarkdownIt from 'markdown-it';
import type { StateBlock, Token } from 'markdown-it';
import { escapeHtml } from 'markdown-it/lib/common/utils.mjs';
import type { RenderEnv } from './render-env.js';

/** Containers that fold away until the attendee opens them. */
export const COLLAPSIBLE_KINDS = ['hint', 'solution'] as const;
/** Containers that stand out from the text. */
export const ADMONITION_KINDS = ['note', 'tip', 'warning', 'danger'] as const;
const KINDS: readonly string[] = [...COLLAPSIBLE_KINDS, ...ADMONITION_KINDS];

const OPENER = /^:::\s*([A-Za-z][\w-]*)\s*(.*)$/;
const CLOSER = /^:::\s*$/;

function lineText(state: StateBlock, line: number): string {
  return state.src.slice(state.bMarks[line]! + state.tShift[line]!, state.eMarks[line]!);
}

function defaultTitle(kind: string): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}

/** Block rule: a container runs from `::: kind [title]` to the matching bare `:::` (nesting allowed). */
function containerRule(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  const opener = OPENER.exec(lineText(state, startLine));
  if (!opener) return false;
  const kind = opener[1]!.toLowerCase();
  if (!KINDS.includes(kind)) {
    if (!silent) {
      (state.env as RenderEnv).problems.push({
        line: startLine + 1,
        message: `unknown container '::: ${opener[1]}'; use one of ${KINDS.join(', ')}`,
      });
    }
    return false;
  }
  if (silent) return true;

  let depth = 1;
  let next = startLine;
  while (++next < endLine) {
    const text = lineText(state, next);
    if (OPENER.test(text)) depth++;
    else if (CLOSER.test(text) && --depth === 0) break;
  }
  if (depth > 0) {
    (state.env as RenderEnv).problems.push({
      line: startLine + 1,
      message: `'::: ${kind}' is never closed; end it with a line holding only ':::'`,
    });
  }

  const title = opener[2]!.trim() || defaultTitle(kind);
  const oldParent = state.parentType;
  const oldLineMax = state.lineMax;
  state.lineMax = next;
  const open = state.push('kubelab_container_open', 'div', 1);
  open.block = true;
  open.info = kind;
  open.meta = { title };
  open.map = [startLine, next];
  state.md.block.tokenize(state, startLine + 1, next);
  const close = state.push('kubelab_container_close', 'div', -1);
  close.block = true;
  close.info = kind;
  state.parentType = oldParent;
  state.lineMax = oldLineMax;
  state.line = Math.min(next + 1, endLine);
  return true;
}

function renderOpen(tokens: Token[], index: number): string {
  const token = tokens[index]!;
  const kind = token.info;
  const title = escapeHtml((token.meta as { title: string }).title);
  if ((COLLAPSIBLE_KINDS as readonly string[]).includes(kind)) {
    return `<details class="${kind}"><summary>${title}</summary>\n`;
  }
  return `<aside class="admonition ${kind}" role="note"><p class="admonition-title">${title}</p>\n`;
}

function renderClose(tokens: Token[], index: number): string {
  return (COLLAPSIBLE_KINDS as readonly string[]).includes(tokens[index]!.info) ? '</details>\n' : '</aside>\n';
}

/** Installs the container rule and its renderers on a markdown-it instance. */
export function useContainers(md: MarkdownIt): void {
  md.block.ruler.before('fence', 'kubelab_container', containerRule, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });
  md.renderer.rules['kubelab_container_open'] = renderOpen;
  md.renderer.rules['kubelab_container_close'] = renderClose;
}

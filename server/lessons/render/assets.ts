// Images come only from the lesson's own folder: a remote image could track attendees and breaks
// offline workshops, and a path out of the folder could expose files the server never meant to serve.
import path from 'node:path';
import type MarkdownIt from 'markdown-it';
import type { StateCore, Token } from 'markdown-it';
import type { RenderEnv } from './render-env.js';

/** Where the server serves a lesson's files (`images/x.png` → `/lessons/pods/assets/images/x.png`). */
export function assetRoute(lessonSlug: string): string {
  return `/lessons/${encodeURIComponent(lessonSlug)}/assets`;
}

/** The lesson-relative path an image source names, or why it is refused. */
export function resolveAssetPath(source: string): { path: string } | { refused: string } {
  let decoded: string;
  try {
    decoded = decodeURIComponent(source);
  } catch {
    return { refused: `image '${source}' is not a valid URL path; name a file under the lesson folder, e.g. images/diagram.png` };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(decoded) || decoded.startsWith('//')) {
    return { refused: `image '${source}' is remote; copy it into the lesson folder (e.g. images/) so attendees are not tracked and offline workshops work` };
  }
  if (decoded.startsWith('/') || decoded.includes('\\') || decoded.includes('\0')) {
    return { refused: `image '${source}' is not a relative path; name a file under the lesson folder, e.g. images/diagram.png` };
  }
  const normalized = path.posix.normalize(decoded.split(/[?#]/)[0]!);
  if (normalized === '..' || normalized.startsWith('../') || normalized === '.') {
    return { refused: `image '${source}' points outside the lesson folder; keep images inside it, e.g. images/diagram.png` };
  }
  return { path: normalized };
}

function rewriteImages(state: StateCore): void {
  const env = state.env as RenderEnv;
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    const line = (block.map?.[0] ?? 0) + 1;
    block.children = block.children.map((child): Token => {
      if (child.type === 'link_open') {
        if (!(child.attrGet('href') ?? '').startsWith('#')) {
          child.attrSet('target', '_blank');
          child.attrSet('rel', 'noopener noreferrer');
        }
        return child;
      }
      if (child.type !== 'image') return child;
      const resolved = resolveAssetPath(child.attrGet('src') ?? '');
      if ('refused' in resolved) {
        env.problems.push({ line, message: resolved.refused });
        const text = new state.Token('text', '', 0);
        text.content = `[image not shown: ${child.content}]`;
        return text;
      }
      env.assets.push({ path: resolved.path, line });
      child.attrSet('src', `${assetRoute(env.lessonSlug)}/${resolved.path.split('/').map(encodeURIComponent).join('/')}`);
      child.attrSet('loading', 'lazy');
      return child;
    });
  }
}

/** Rewrites image sources to the lesson's asset route and opens links in a new tab. */
export function useAssets(md: MarkdownIt): void {
  md.core.ruler.push('kubelab_assets', rewriteImages);
}

// Turns a step's markdown into the HTML of the lesson pane. Pure and sanitised: raw HTML in the
// markdown is escaped, never passed through, so lesson content cannot run script in the page.
import MarkdownIt from 'markdown-it';
import { useAssets } from './render/assets.js';
import { useCodeBlocks } from './render/code-blocks.js';
import { useContainers } from './render/containers.js';
import type { RenderEnv, RenderProblem, RunnableBlock } from './render/render-env.js';

export type { RenderProblem, RunnableBlock } from './render/render-env.js';
export { assetRoute, resolveAssetPath } from './render/assets.js';

/** A rendered step: HTML for the page plus what the page and the linter need to know about it. */
export interface RenderedStep {
  html: string;
  runnableBlocks: RunnableBlock[];
  /** The images the step shows: lesson-relative path and markdown line. */
  assets: { path: string; line: number }[];
  problems: RenderProblem[];
}

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
useContainers(md);
useCodeBlocks(md);
useAssets(md);

/** Renders one step's markdown (without its front matter) for the lesson `lessonSlug`. */
export function renderStep(markdown: string, options: { lessonSlug: string }): RenderedStep {
  const env: RenderEnv = { lessonSlug: options.lessonSlug, runnableBlocks: [], assets: [], problems: [] };
  const html = md.render(markdown, env);
  return { html, runnableBlocks: env.runnableBlocks, assets: env.assets, problems: env.problems };
}

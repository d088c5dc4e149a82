// What one render of a step collects besides its HTML: shared by the markdown-it rules.

/** A command block the page turns into a Run button. */
export interface RunnableBlock {
  /** Position among the step's runnable blocks, from 0. */
  index: number;
  /** The command text, exactly as written (without the trailing newline). */
  command: string;
  language: string;
  /** Which of the attendee's terminals runs it, from 1. */
  terminal: number;
  /** 1-based line in the markdown. */
  line: number;
}

/** Something in the markdown an author should fix; the page still renders. */
export interface RenderProblem {
  /** 1-based line in the markdown. */
  line: number;
  message: string;
}

/** markdown-it's per-render `env`, filled by kubelab's rules. */
export interface RenderEnv {
  lessonSlug: string;
  runnableBlocks: RunnableBlock[];
  /** Images the step shows: lesson-relative path and 1-based markdown line (for the loader to check they exist). */
  assets: { path: string; line: number }[];
  problems: RenderProblem[];
}

// Shapes of the JSON the server sends (server/http/lab-routes.ts); the server side has no
// exported types for them, so they are declared here once for every page.

/** `GET /api/me`. */
export interface Visitor {
  visitorId: string;
  displayName: string | null;
  socketToken: string;
}

export type Difficulty = 'beginner' | 'intermediate' | 'advanced';

/** A lab as the catalog lists it. */
export interface LabSummary {
  slug: string;
  type: 'lesson' | 'scenario';
  title: string;
  summary: string;
  difficulty: Difficulty;
  minutes: number;
  tags: string[];
  scenarioType?: string;
  timeLimitMinutes?: number;
  stepCount: number;
}

/** A catalog card: the lab and how far this visitor got. */
export interface CatalogEntry extends LabSummary {
  progress: { started: boolean; passedSteps: number[] };
  /** Scenarios: points of all tasks, and this visitor's score once they started. */
  totalPoints?: number;
  bestScore?: number;
}

/** Where the visitor stands in a scenario (server/sessions/scenario-score.ts). */
export interface ScenarioScore {
  scenarioType: 'repair' | 'timed';
  score: number;
  totalPoints: number;
  tasks: { step: number; title: string; points: number; passedAt: number | null }[];
  timeLimitMinutes?: number;
  startedAt?: number;
  endsAt?: number;
  over: boolean;
  usedMs?: number;
}

/** `GET /api/catalog`. */
export interface Catalog {
  lessons: CatalogEntry[];
  scenarios: CatalogEntry[];
}

/** One step of `GET /api/labs/:slug`. */
export interface StepDetail {
  number: number;
  title: string;
  html: string;
  runnableBlocks: { index: number; command: string; language: string; terminal: number }[];
  checkCount: number;
  points?: number;
  hasSolution: boolean;
  solution?: string;
}

/** `GET /api/labs/:slug`. */
export interface LabDetail extends LabSummary {
  gated: boolean;
  /** Scenarios only. */
  scenario?: ScenarioScore;
  passedSteps: number[];
  steps: StepDetail[];
}

/** `GET /api/labs/:slug/steps/:n/solution`. */
export interface SolutionReply {
  step: number;
  solution: string;
  alternatives: { title: string; solution: string }[];
}

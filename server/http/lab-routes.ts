// The JSON the pages read: the catalog with the visitor's progress, one lab's steps (solutions
// only once revealed), the visitor's name, and a lesson's images. Lesson files other than images
// are never served: step files hold the solutions.
import express, { type Router } from 'express';
import { z } from 'zod';
import { resolveLessonFile } from '../lessons/lesson-paths.js';
import type { Lab, Step } from '../lessons/load.js';
import { scenarioScore } from '../sessions/scenario-score.js';
import { resolveAssetPath } from '../lessons/render.js';
import type { Store } from '../store/store.js';
import { HttpError } from './http-error.js';
import { type VisitorTokens, visitorOf } from './visitor.js';

/** Failed Check presses after which a step's solution may be shown even when gated. */
export const REVEAL_AFTER_ATTEMPTS = 3;

/** Image types a lesson may show; anything else in a lesson folder stays private. */
const ASSET_TYPES = /\.(png|jpe?g|gif|svg|webp|avif)$/i;

/** What the routes read. */
export interface LabRouteOptions {
  labs: { all(): Lab[]; get(slug: string): Lab | undefined };
  store: Store;
  tokens: VisitorTokens;
  /** Whether steps are gated for this visitor and lab (a classroom may decide it); scenarios never are. */
  gated: boolean | ((visitorId: string, slug: string) => boolean);
  /** Epoch ms, for a timed scenario's clock. */
  now?: () => number;
}

/** Pure: whether a step's solution is shown to a visitor. */
export function solutionRevealed(state: { gated: boolean; passed: boolean; attempts: number }): boolean {
  return !state.gated || state.passed || state.attempts >= REVEAL_AFTER_ATTEMPTS;
}

const displayNameSchema = z.strictObject({ displayName: z.string().trim().min(1).max(60) });

function summary(lab: Lab) {
  const m = lab.manifest;
  return {
    slug: lab.slug,
    type: lab.type,
    title: m.title,
    summary: m.summary,
    difficulty: m.difficulty,
    minutes: m.minutes,
    tags: m.tags,
    ...('type' in m && { scenarioType: m.type, ...(m.timeLimitMinutes !== undefined && { timeLimitMinutes: m.timeLimitMinutes }) }),
    stepCount: lab.steps.length,
  };
}

/** The /api routes of labs and visitors, and lesson images. */
export function labRoutes(options: LabRouteOptions): Router {
  const { labs, store } = options;
  const router = express.Router();
  const labOr404 = (slug: string): Lab => {
    const lab = labs.get(slug);
    if (!lab) throw new HttpError(404, 'NO_SUCH_LAB', `there is no lab '${slug}'; the catalog lists the labs this server has`);
    return lab;
  };
  const passedOf = (visitorId: string, slug: string) => new Set(store.progress(visitorId, slug).filter((p) => p.passedAt !== null).map((p) => p.step));
  const now = options.now ?? Date.now;
  const gatedFor = (visitorId: string, lab: Lab) => lab.type === 'lesson' && (typeof options.gated === 'function' ? options.gated(visitorId, lab.slug) : options.gated);
  const scoreOf = (visitorId: string, lab: Lab) => scenarioScore(lab, store.progress(visitorId, lab.slug), store.scenarioRunStart(visitorId, lab.slug), now());
  // Scenario solutions open as a gated lesson's do (pass, or enough tries), except during a
  // timed run, where only a passed task shows its solution; once the results are final, all do.
  const revealed = (visitorId: string, lab: Lab, step: Step, passed: Set<number>) => {
    if (step.solution === undefined) return false;
    const score = scoreOf(visitorId, lab);
    if (score?.over) return true;
    if (score?.scenarioType === 'timed') return passed.has(step.number);
    return solutionRevealed({ gated: lab.type === 'scenario' || gatedFor(visitorId, lab), passed: passed.has(step.number), attempts: store.checkAttempts(visitorId, lab.slug, step.number) });
  };

  router.get('/api/me', (_req, res) => {
    const visitorId = visitorOf(res);
    res.json({ visitorId, displayName: store.displayName(visitorId) ?? null, socketToken: options.tokens.issue(visitorId) });
  });

  router.post('/api/me', express.json({ limit: '4kb' }), (req, res) => {
    const parsed = displayNameSchema.safeParse(req.body);
    if (!parsed.success) throw new HttpError(400, 'BAD_REQUEST', 'send { "displayName": "…" } with 1 to 60 characters');
    store.touchVisitor(visitorOf(res), parsed.data.displayName);
    res.json({ visitorId: visitorOf(res), displayName: parsed.data.displayName });
  });

  router.get('/api/catalog', (_req, res) => {
    const visitorId = visitorOf(res);
    const progress = store.progress(visitorId);
    const entry = (lab: Lab) => {
      const mine = progress.filter((p) => p.lab === lab.slug);
      const score = scoreOf(visitorId, lab);
      return {
        ...summary(lab),
        progress: { started: mine.length > 0, passedSteps: mine.filter((p) => p.passedAt !== null).map((p) => p.step) },
        ...(score && { totalPoints: score.totalPoints, ...(mine.length > 0 && { bestScore: score.score }) }),
      };
    };
    const all = labs.all();
    res.json({ lessons: all.filter((l) => l.type === 'lesson').map(entry), scenarios: all.filter((l) => l.type === 'scenario').map(entry) });
  });

  router.get('/api/labs/:slug', (req, res) => {
    const lab = labOr404(req.params.slug);
    const visitorId = visitorOf(res);
    const passed = passedOf(visitorId, lab.slug);
    res.json({
      ...summary(lab),
      gated: gatedFor(visitorId, lab),
      ...(lab.type === 'scenario' && { scenario: scoreOf(visitorId, lab) }),
      passedSteps: [...passed].sort((a, b) => a - b),
      steps: lab.steps.map((step) => ({
        number: step.number,
        title: step.title,
        html: step.html,
        runnableBlocks: step.runnableBlocks.map(({ index, command, language, terminal }) => ({ index, command, language, terminal })),
        checkCount: step.checks.length,
        ...(step.points !== undefined && { points: step.points }),
        hasSolution: step.solution !== undefined,
        ...(revealed(visitorId, lab, step, passed) && { solution: step.solution }),
      })),
    });
  });

  router.get('/api/labs/:slug/steps/:step/solution', (req, res) => {
    const lab = labOr404(req.params.slug);
    const step = lab.steps[Number(req.params.step) - 1];
    if (!step || !/^\d+$/.test(req.params.step)) throw new HttpError(404, 'NO_SUCH_STEP', `lab '${lab.slug}' has steps 1 to ${lab.steps.length}`);
    if (step.solution === undefined) throw new HttpError(404, 'NO_SOLUTION', `step ${step.number} has no solution to show`);
    const visitorId = visitorOf(res);
    if (!revealed(visitorId, lab, step, passedOf(visitorId, lab.slug))) {
      throw new HttpError(403, 'SOLUTION_LOCKED', `the solution opens once the step passes or after ${REVEAL_AFTER_ATTEMPTS} tries of Check`);
    }
    res.json({ step: step.number, solution: step.solution, alternatives: step.alternatives });
  });

  // assetRoute(slug) is /lessons/<slug>/assets; the test proves the two agree.
  router.get('/lessons/:slug/assets/*file', async (req, res) => {
    const lab = labOr404(req.params.slug);
    const file = (req.params as { file: string[] }).file.join('/');
    const asset = resolveAssetPath(file);
    if ('refused' in asset) throw new HttpError(400, 'ASSET_REFUSED', asset.refused);
    if (!ASSET_TYPES.test(asset.path)) throw new HttpError(404, 'NO_SUCH_ASSET', 'only images in the lesson folder are served');
    const resolved = await resolveLessonFile(lab.dir, asset.path);
    if ('refused' in resolved) throw new HttpError(404, 'NO_SUCH_ASSET', resolved.refused);
    // An SVG opened on its own must not run script with the page's origin.
    res.setHeader('Content-Security-Policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.sendFile(resolved.path, { dotfiles: 'deny', maxAge: '1h' });
  });

  return router;
}

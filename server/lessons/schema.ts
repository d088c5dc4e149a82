// The lesson format, once: zod schemas for lesson.yaml, scenario.yaml and a step's front matter.
// Loader, linter, the JSON Schema files in schema/ and the types all come from here.
import { z } from 'zod';
import { checkSpecSchema } from '../checks/spec.js';

/** Folder names of lessons and scenarios: also URL segments, so lower-case words and dashes. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Step files: `steps/NN-name.md`, ordered by NN from 01 without gaps. */
export const STEP_FILE_PATTERN = /^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$/;

const relativePath = z
  .string()
  .min(1)
  .describe('A path relative to the lesson folder, which it must not leave.');

/** Bash, inline or from a file in the lesson folder (`{ file: setup/broken.sh }`). */
export const scriptSchema = z.union([
  z.string().min(1).describe('Inline bash.'),
  z.strictObject({ file: relativePath }).describe('A bash file in the lesson folder.'),
]);

/** What runs before a lesson or a step: manifests applied in order, then a script. */
export const setupSchema = z
  .strictObject({
    manifests: z.array(relativePath).optional().describe('Kubernetes manifests applied in order with kubectl apply -f.'),
    script: scriptSchema.optional().describe("Bash run in the attendee's toolbox after the manifests."),
  })
  .describe('Prepares the cluster: manifests first, then the script.');

const kubernetesVersion = z.string().regex(/^\d+\.\d+(?:\.\d+)?$/, { error: 'write a Kubernetes version like 1.31 or 1.31.2' });
const imageReference = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._\-/]*(?::\d+)?(?:\/[a-z0-9._-]+)*:[\w][\w.-]{0,127}$/, { error: 'write an image with a tag, like nginx:1.27' });

const portMappingSchema = z.strictObject({
  containerPort: z.number().int().min(1).max(65535),
  hostPort: z.number().int().min(1).max(65535),
  protocol: z.enum(['TCP', 'UDP']).optional(),
});

/** The fields lesson.yaml and scenario.yaml share. */
const labFields = {
  title: z.string().min(1).describe('Shown in the catalog and above every step.'),
  slug: z.string().regex(SLUG_PATTERN).optional().describe('Optional; when given it must equal the folder name.'),
  summary: z.string().min(1).describe('One or two sentences for the catalog: what the attendee will be able to do.'),
  difficulty: z.enum(['beginner', 'intermediate', 'advanced']),
  minutes: z.number().int().min(1).max(600).describe('Typical time to finish.'),
  order: z.number().int().min(0).max(10000).optional().describe('Position in the catalog: labs with an order come first, lowest first; the rest follow by title.'),
  tags: z.array(z.string().regex(SLUG_PATTERN, { error: 'tags are lower-case words joined by dashes' })).default([]),
  kubernetes: z
    .strictObject({ min: kubernetesVersion.optional(), max: kubernetesVersion.optional() })
    .optional()
    .describe('Kubernetes versions the lesson works on.'),
  cluster: z
    .strictObject({
      workers: z.number().int().min(0).max(3).default(0).describe('Worker nodes besides the control plane.'),
      ingress: z.boolean().default(false).describe('Labels the control plane ingress-ready=true, where an ingress controller binds hostPort 80/443; the toolbox reaches it on the node.'),
      portMappings: z.array(portMappingSchema).optional().describe('Further host ports on the control plane.'),
    })
    .default({ workers: 0, ingress: false }),
  images: z.array(imageReference).default([]).describe('Images preloaded into every node, so pulls need no registry.'),
  setup: setupSchema.optional(),
};

/** lesson.yaml: a guided lab whose steps explain and then check. */
export const lessonManifestSchema = z.strictObject(labFields).describe('kubelab lesson (lesson.yaml)');
/** scenario.yaml: a challenge whose steps state only the goal; scored, optionally against the clock. */
export const scenarioManifestSchema = z
  .strictObject({
    ...labFields,
    type: z.enum(['repair', 'timed']).describe('repair: fix a broken cluster; timed: reach the goals before time runs out.'),
    timeLimitMinutes: z.number().int().min(1).max(600).optional(),
  })
  .describe('kubelab scenario (scenario.yaml)');

/** Another correct way to solve a step; `kubelab test` proves it passes the checks too. */
export const alternativeSchema = z.strictObject({
  title: z.string().min(1),
  solution: scriptSchema,
});

/** A step's front matter (the YAML between the `---` lines at the top of steps/NN-name.md). */
export const stepFrontMatterSchema = z
  .strictObject({
    title: z.string().min(1),
    setup: setupSchema.optional(),
    checks: z.array(checkSpecSchema).default([]).describe('What Check verifies; a step without checks is for reading.'),
    solution: scriptSchema.optional().describe("Bash that solves the step in the attendee's toolbox."),
    alternatives: z.array(alternativeSchema).default([]),
    points: z.number().int().min(1).max(1000).optional().describe('Scenarios only: what the task is worth.'),
  })
  .describe('kubelab step front matter');

/** lesson.yaml as written. */
export type LessonManifest = z.output<typeof lessonManifestSchema>;
/** scenario.yaml as written. */
export type ScenarioManifest = z.output<typeof scenarioManifestSchema>;
/** A step's front matter as written. */
export type StepFrontMatter = z.output<typeof stepFrontMatterSchema>;
/** Inline bash or a file reference. */
export type Script = z.output<typeof scriptSchema>;
/** Setup as written (script possibly a file reference). */
export type SetupSpec = z.output<typeof setupSchema>;

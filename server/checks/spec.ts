// The check contract: what a lesson author writes under `checks:` in a step's front matter.
// The lesson loader validates with these schemas; the engine evaluates what they produce, so a
// check that parses here is one the engine knows how to run. Objects are strict: a misspelt
// field is an error that names the field, never a check that silently tests less.
import { z } from 'zod';
import { JsonPathError, parseJsonPath } from './json-path.js';
import { builtinKind } from './kinds.js';

const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;

/** "500ms", "5s", "2m" → milliseconds; how every timeout and window in a check is written. */
export const durationSchema = z
  .string({ error: 'write a duration like 500ms, 5s or 2m' })
  .regex(DURATION_PATTERN, { error: 'write a duration like 500ms, 5s or 2m (a number, then ms, s or m)' })
  .transform((text) => {
    const [, amount = '0', unit = 'ms'] = DURATION_PATTERN.exec(text) ?? [];
    return Math.round(Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS]);
  })
  .describe('A duration: 500ms, 5s or 2m.');

/** Longest a single evaluation of a check may take. */
export const MAX_TIMEOUT_MS = 2 * 60_000;
/** Longest a check may keep retrying before it reports a failure. */
export const MAX_RETRY_FOR_MS = 10 * 60_000;

const timeoutSchema = durationSchema
  .refine((ms) => ms > 0 && ms <= MAX_TIMEOUT_MS, { error: 'timeout must be more than 0 and at most 2m' })
  .prefault('5s')
  .describe('How long one evaluation may take; default 5s.');
const retryForSchema = durationSchema
  .refine((ms) => ms <= MAX_RETRY_FOR_MS, { error: 'retryFor must be at most 10m' })
  .prefault('0s')
  .describe('Keep re-evaluating until the check passes or this window ends; default 0 (once).');

const nameSchema = z.string().min(1).max(253);
const regexSchema = z
  .string()
  .min(1)
  .refine(
    (source) => {
      try {
        new RegExp(source);
        return true;
      } catch {
        return false;
      }
    },
    { error: 'not a valid regular expression (JavaScript syntax)' },
  )
  .describe('A JavaScript regular expression, matched anywhere in the text unless anchored with ^ and $.');
const scalarSchema = z.union([z.string(), z.number(), z.boolean()]);

function closest(key: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i += 1) {
      const current = [i];
      for (let j = 1; j <= b.length; j += 1) {
        const substitution = (previous[j - 1] ?? 0) + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1);
        current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
      }
      previous = current;
    }
    return previous[b.length] ?? Infinity;
  };
  let best: { key: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const d = distance(key, candidate);
    if (d <= Math.max(1, Math.ceil(candidate.length / 3)) && (!best || d < best.distance)) best = { key: candidate, distance: d };
  }
  return best?.key;
}

// A strict object whose unknown-key error suggests the field the author probably meant.
function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      return issue.keys
        .map((key) => {
          const guess = closest(key, known);
          return guess ? `unknown field '${key}'; did you mean '${guess}'?` : `unknown field '${key}'; allowed here: ${known.join(', ')}`;
        })
        .join('; ');
    },
  });
}

const comparatorShape = {
  equals: scalarSchema.optional().describe('The value must equal this (compared as text).'),
  matches: regexSchema.optional(),
  atLeast: z.number().optional().describe('The number must be at least this.'),
  atMost: z.number().optional().describe('The number must be at most this.'),
  oneOf: z.array(scalarSchema).min(1).optional().describe('The value must equal one of these.'),
};

/** How an observed value is compared: exactly one of equals, matches, oneOf, or atLeast and/or atMost. */
export interface Comparator {
  equals?: string | number | boolean | undefined;
  matches?: string | undefined;
  atLeast?: number | undefined;
  atMost?: number | undefined;
  oneOf?: Array<string | number | boolean> | undefined;
}

function comparatorProblem(value: Comparator): string | undefined {
  const exclusive = (['equals', 'matches', 'oneOf'] as const).filter((key) => value[key] !== undefined);
  const bounds = (['atLeast', 'atMost'] as const).filter((key) => value[key] !== undefined);
  if (exclusive.length + bounds.length === 0) return 'say what to expect: add one of equals, matches, atLeast, atMost or oneOf';
  if (exclusive.length > 1 || (exclusive.length === 1 && bounds.length > 0)) {
    return `use one comparator (atLeast and atMost may go together), not ${[...exclusive, ...bounds].join(' and ')}`;
  }
  if (value.atLeast !== undefined && value.atMost !== undefined && value.atLeast > value.atMost) {
    return `atLeast (${value.atLeast}) is more than atMost (${value.atMost}); nothing could pass`;
  }
  return undefined;
}

function requireComparator(value: Comparator, ctx: z.core.$RefinementCtx): void {
  const problem = comparatorProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [] });
}

const labelSelectorSchema = z
  .string()
  .min(1)
  .describe('A label selector as kubectl -l takes it: app=web,tier!=db, env in (a,b), !legacy.');
const fieldSelectorSchema = z.string().min(1).describe('A field selector as kubectl --field-selector takes it: status.phase=Running.');

const kindSchema = z
  .string()
  .regex(/^[A-Z][A-Za-z0-9]*$/, { error: 'write the kind as the API spells it, like Pod or Deployment' });

function requireApiVersion(value: { apiVersion?: string | undefined; kind: string }, ctx: z.core.$RefinementCtx): void {
  if (value.apiVersion === undefined && !builtinKind(value.kind)) {
    ctx.addIssue({
      code: 'custom',
      path: ['apiVersion'],
      message: `kubelab knows no apiVersion for kind ${value.kind}; add apiVersion (for example example.com/v1), or check the kind's spelling`,
    });
  }
}

const resourceBase = {
  apiVersion: z.string().min(1).optional().describe('Optional for built-in kinds (Pod → v1, Deployment → apps/v1, …); required for custom resources.'),
  kind: kindSchema,
  namespace: nameSchema.optional().describe('Defaults to "default" for namespaced kinds.'),
};

/** One object by name, or every object a label/field selector matches. */
export const objectSelectorSchema = strict({
  ...resourceBase,
  name: nameSchema.optional(),
  labelSelector: labelSelectorSchema.optional(),
  fieldSelector: fieldSelectorSchema.optional(),
})
  .superRefine(requireApiVersion)
  .superRefine((value, ctx) => {
    const bySelector = value.labelSelector !== undefined || value.fieldSelector !== undefined;
    if (value.name === undefined && !bySelector) {
      ctx.addIssue({ code: 'custom', path: [], message: 'name the object (name: web) or select objects (labelSelector: app=web)' });
    }
    if (value.name !== undefined && bySelector) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'use name or a selector, not both' });
    }
  })
  .describe('A Kubernetes object by name, or the objects a selector matches.');

/** Objects to count: a kind, optionally narrowed by namespace and selectors. */
export const countSelectorSchema = strict({
  ...resourceBase,
  labelSelector: labelSelectorSchema.optional(),
  fieldSelector: fieldSelectorSchema.optional(),
})
  .superRefine(requireApiVersion)
  .describe('The objects to count.');

/** A workload whose rollout is judged. */
export const workloadRefSchema = strict({
  apiVersion: z.enum(['apps/v1']).optional(),
  kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet']),
  name: nameSchema,
  namespace: nameSchema.optional(),
}).describe('A Deployment, StatefulSet or DaemonSet by name.');

const jsonPathSchema = z
  .string()
  .min(1)
  .superRefine((expression, ctx) => {
    try {
      parseJsonPath(expression);
    } catch (error) {
      if (!(error instanceof JsonPathError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
  })
  .describe("A kubectl-style JSONPath, like {.status.phase} or {.status.conditions[?(@.type==\"Ready\")].status}.");

/** The API resource a SubjectAccessReview asks about (plural resource name, as in RBAC rules). */
export const accessResourceSchema = strict({
  group: z.string().optional().describe('API group; "" or omitted for the core group.'),
  resource: z.string().min(1).describe('Plural resource name as RBAC writes it: pods, deployments.'),
  subresource: z.string().min(1).optional(),
  namespace: nameSchema.optional().describe('Omit for a cluster-wide question.'),
  name: nameSchema.optional(),
});

/** Who a `can` check asks about: a user, groups, or a service account written as namespace/name. */
export const subjectSchema = strict({
  user: z.string().min(1).optional(),
  groups: z.array(z.string().min(1)).min(1).optional(),
  serviceAccount: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/, { error: 'write the service account as namespace/name, like default/deployer' })
    .optional(),
}).superRefine((value, ctx) => {
  if (value.user === undefined && value.groups === undefined && value.serviceAccount === undefined) {
    ctx.addIssue({ code: 'custom', path: [], message: 'say who: add user, groups or serviceAccount' });
  }
  if (value.user !== undefined && value.serviceAccount !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['serviceAccount'], message: 'use user or serviceAccount, not both' });
  }
});

const httpExpectSchema = strict({
  status: z.number().int().min(100).max(599).prefault(200).describe('Expected HTTP status; default 200.'),
  bodyMatches: regexSchema.optional(),
}).describe('What the response must look like.');

// The fields that say what a check tests, per kind; shared by checks and hint conditions.
const bodies = {
  exists: { kind: z.literal('exists'), resource: objectSelectorSchema },
  absent: { kind: z.literal('absent'), resource: objectSelectorSchema },
  field: { kind: z.literal('field'), resource: objectSelectorSchema, path: jsonPathSchema, ...comparatorShape },
  count: {
    kind: z.literal('count'),
    resource: countSelectorSchema,
    where: strict({ path: jsonPathSchema, equals: scalarSchema.optional(), matches: regexSchema.optional(), oneOf: z.array(scalarSchema).min(1).optional() })
      .superRefine((value, ctx) => {
        const given = [value.equals, value.matches, value.oneOf].filter((v) => v !== undefined).length;
        if (given !== 1) ctx.addIssue({ code: 'custom', path: [], message: 'where needs exactly one of equals, matches or oneOf' });
      })
      .optional()
      .describe('Count only the objects whose field matches.'),
    ...comparatorShape,
  },
  condition: {
    kind: z.literal('condition'),
    resource: objectSelectorSchema,
    type: z.string().min(1).describe('Condition type: Ready, Available, Complete, …'),
    status: z.enum(['True', 'False', 'Unknown']).prefault('True').describe('Expected status; default True.'),
  },
  rollout: { kind: z.literal('rollout'), resource: workloadRefSchema },
  can: {
    kind: z.literal('can'),
    as: subjectSchema,
    verb: z.string().min(1).describe('get, list, create, delete, … or * '),
    resource: accessResourceSchema,
    expect: z.enum(['allowed', 'denied']),
  },
  http: {
    kind: z.literal('http'),
    service: strict({
      name: nameSchema,
      namespace: nameSchema.optional(),
      port: z.union([z.number().int().min(1).max(65535), z.string().min(1)]).describe('Port number or name.'),
    })
      .optional()
      .describe("Request through the API server's service proxy."),
    path: z.string().startsWith('/', { error: 'path starts with /' }).optional().describe('Path on the service; default /.'),
    url: z.url({ protocol: /^https?$/, error: 'write a full http:// or https:// URL' }).optional().describe("Fetched with curl from the attendee's toolbox."),
    expect: httpExpectSchema.prefault({}),
  },
  script: { kind: z.literal('script'), run: z.string().min(1).describe("Bash run in the attendee's toolbox; exit 0 passes.") },
} as const;

// Cross-field rules a kind's body needs beyond its field types.
function refineBody(kind: keyof typeof bodies, value: Record<string, unknown>, ctx: z.core.$RefinementCtx): void {
  if (kind === 'field' || kind === 'count') requireComparator(value as Comparator, ctx);
  if (kind === 'http') {
    if ((value.service === undefined) === (value.url === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give either service (inside the cluster) or url (from the toolbox), not both or neither' });
    }
    if (value.url !== undefined && value.path !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'path goes with service; put the path into url instead' });
    }
  }
}

const probeFields = { timeout: timeoutSchema };

function probeSchema<K extends keyof typeof bodies>(kind: K) {
  return strict({ ...probeFields, ...bodies[kind] }).superRefine((value, ctx) => refineBody(kind, value, ctx));
}

const KINDS = ['exists', 'absent', 'field', 'count', 'condition', 'rollout', 'can', 'http', 'script'] as const;

function kindError(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  const input = issue.input as { kind?: unknown } | undefined;
  const kind = input && typeof input === 'object' ? input.kind : undefined;
  const what = kind === undefined ? 'missing kind' : `unknown kind '${String(kind)}'`;
  const guess = typeof kind === 'string' ? closest(kind, KINDS) : undefined;
  return `${what}${guess ? ` (did you mean '${guess}'?)` : ''}; use one of ${KINDS.join(', ')}`;
}

/** A check without identity: what a hint's `when` holds. It passes or fails like a check. */
export const probeSpecSchema = z.discriminatedUnion(
  'kind',
  [
    probeSchema('exists'),
    probeSchema('absent'),
    probeSchema('field'),
    probeSchema('count'),
    probeSchema('condition'),
    probeSchema('rollout'),
    probeSchema('can'),
    probeSchema('http'),
    probeSchema('script'),
  ],
  { error: kindError },
);

/** A hint shown when its `when` check passes; the first such hint of a failed check is shown. */
export const conditionalHintSchema = strict({
  when: probeSpecSchema,
  text: z.string().min(1).describe('Markdown shown to the attendee.'),
});

const checkFields = {
  id: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: 'ids are lower-case letters, digits and dashes, like web-running' })
    .describe('Unique within the step.'),
  title: z.string().min(1).describe('What the attendee reads next to the pass/fail mark.'),
  retryFor: retryForSchema,
  hint: z.string().min(1).optional().describe('Shown when the check fails and no conditional hint applies.'),
  hints: z.array(conditionalHintSchema).optional().describe('Conditional hints; the first whose when passes is shown.'),
  ...probeFields,
};

function checkSchema<K extends keyof typeof bodies>(kind: K) {
  return strict({ ...checkFields, ...bodies[kind] }).superRefine((value, ctx) => refineBody(kind, value, ctx));
}

/** One check as a lesson author writes it, discriminated on `kind`. */
export const checkSpecSchema = z
  .discriminatedUnion(
    'kind',
    [
      checkSchema('exists'),
      checkSchema('absent'),
      checkSchema('field'),
      checkSchema('count'),
      checkSchema('condition'),
      checkSchema('rollout'),
      checkSchema('can'),
      checkSchema('http'),
      checkSchema('script'),
    ],
    { error: kindError },
  )
  .describe('A check: evaluated against the live cluster when the attendee presses Check.');

/** A validated check, durations in milliseconds and defaults filled in. */
export type CheckSpec = z.output<typeof checkSpecSchema>;
/** A check as written in YAML, before defaults. */
export type CheckSpecInput = z.input<typeof checkSpecSchema>;
/** A validated hint condition (a check without id, title, hints or retryFor). */
export type ProbeSpec = z.output<typeof probeSpecSchema>;
/** Every check kind, for messages and documentation. */
export type CheckKind = CheckSpec['kind'];
/** The check kinds in the order the documentation lists them. */
export const CHECK_KINDS: readonly CheckKind[] = KINDS;
/** A validated `resource` selecting objects by name or selector. */
export type ObjectSelector = z.output<typeof objectSelectorSchema>;
/** A validated `resource` of a count check. */
export type CountSelector = z.output<typeof countSelectorSchema>;
/** A validated `as` of a can check. */
export type Subject = z.output<typeof subjectSchema>;
/** A validated `resource` of a can check. */
export type AccessResource = z.output<typeof accessResourceSchema>;

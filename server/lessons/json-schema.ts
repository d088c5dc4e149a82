// JSON Schema for editors (yaml-language-server) generated from the zod schemas, so the files in
// schema/ never drift from what the loader accepts; a unit test fails when they are stale.
import { z } from 'zod';
import { lessonManifestSchema, scenarioManifestSchema, stepFrontMatterSchema } from './schema.js';

/** Every JSON Schema file kubelab ships, by file name, as the text to write. */
export function lessonJsonSchemaFiles(): Record<string, string> {
  const entries = {
    'lesson.schema.json': lessonManifestSchema,
    'scenario.schema.json': scenarioManifestSchema,
    'step.schema.json': stepFrontMatterSchema,
  };
  return Object.fromEntries(
    Object.entries(entries).map(([file, schema]) => {
      const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-7', reused: 'ref' });
      return [file, `${JSON.stringify(json, null, 2)}\n`];
    }),
  );
}

#!/usr/bin/env node
// Launches the TypeScript CLI without a build step: tsx compiles cli/ on the fly.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');

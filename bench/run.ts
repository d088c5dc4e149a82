// `npm run bench -- <suite> [options]`: measured figures, written to docs/figures/*.json.
// Suites: clusters (kind create, idle memory, image disk), checks (latency per check kind vs kubectl).
import { checkBench } from './checks.js';
import { clusterBench } from './clusters.js';

const suites: Record<string, (args: string[]) => Promise<Record<string, unknown>>> = { clusters: clusterBench, checks: checkBench };

const [suite = 'clusters', ...rest] = process.argv.slice(2);
const run = suites[suite];
if (!run) {
  console.error(`unknown bench suite '${suite}'; suites: ${Object.keys(suites).join(', ')}`);
  process.exitCode = 2;
} else {
  console.log(JSON.stringify(await run(rest), null, 2));
}

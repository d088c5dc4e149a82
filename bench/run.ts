// `npm run bench -- <suite> [options]`: measured figures, written to docs/figures/*.json.
// Suites: clusters (kind create, idle memory, image disk), checks (latency per check kind vs kubectl),
// terminal (pty → socket.io → client throughput vs raw node-pty, keystroke echo), start (attendee
// start-to-prompt from the warm pool and cold, against plain kind create), prewarm (a classroom's
// warm pool filled to N real clusters).
import { checkBench } from './checks.js';
import { prewarmBench } from './classroom-prewarm.js';
import { clusterBench } from './clusters.js';
import { startToPromptBench } from './start-to-prompt.js';
import { terminalThroughputBench } from './terminal-throughput.js';

const suites: Record<string, (args: string[]) => Promise<Record<string, unknown>>> = { clusters: clusterBench, checks: checkBench, terminal: terminalThroughputBench, start: startToPromptBench, prewarm: prewarmBench };

const [suite = 'clusters', ...rest] = process.argv.slice(2);
const run = suites[suite];
if (!run) {
  console.error(`unknown bench suite '${suite}'; suites: ${Object.keys(suites).join(', ')}`);
  process.exitCode = 2;
} else {
  console.log(JSON.stringify(await run(rest), null, 2));
}

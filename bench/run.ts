// `npm run bench [-- <suite> [options]]`: measured figures, written to docs/figures/*.json.
// With no suite: every suite in turn with its default options, then the targets table in
// docs/benchmarks.md (`npm run bench -- table` rewrites only the table from the figures there).
// Suites: clusters (kind create, idle memory, image disk), checks (latency per check kind vs kubectl),
// terminal (throughput vs raw node-pty, keystroke echo, Ctrl-C during a flood, bytes buffered),
// start (start-to-prompt from the warm pool and cold), density (idle sessions held with the UI
// under 200 ms, memory per session), reset (lab:jump to a step on a real session), prewarm (a
// classroom's warm pool filled to N real clusters).
// The soak is its own command: npm run soak -- --attendees N --minutes M.
import { checkBench } from './checks.js';
import { prewarmBench } from './classroom-prewarm.js';
import { clusterBench } from './clusters.js';
import { densityBench } from './density.js';
import { resetBench } from './reset.js';
import { startToPromptBench } from './start-to-prompt.js';
import { writeTable } from './table.js';
import { terminalThroughputBench } from './terminal-throughput.js';

const suites: Record<string, (args: string[]) => Promise<Record<string, unknown>>> = {
  clusters: clusterBench,
  checks: checkBench,
  terminal: terminalThroughputBench,
  start: startToPromptBench,
  density: densityBench,
  reset: resetBench,
  prewarm: prewarmBench,
};

const [suite, ...rest] = process.argv.slice(2);
if (suite === 'table') {
  console.log(await writeTable());
} else if (suite === undefined) {
  const failed: string[] = [];
  for (const [name, run] of Object.entries(suites)) {
    console.log(`=== bench ${name}`);
    try {
      console.log(JSON.stringify(await run([]), null, 2));
    } catch (error) {
      failed.push(name);
      console.error(`bench ${name} failed: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }
  console.log(await writeTable());
  if (failed.length) {
    console.error(`suites that failed (their previous figures stay in the table): ${failed.join(', ')}`);
    process.exitCode = 1;
  }
} else {
  const run = suites[suite];
  if (!run) {
    console.error(`unknown bench suite '${suite}'; suites: ${Object.keys(suites).join(', ')}, or table; none runs them all`);
    process.exitCode = 2;
  } else {
    console.log(JSON.stringify(await run(rest), null, 2));
  }
}

// Entry point of the `kubelab` binary: the only place that reads process state and sets the exit code.
import { labEnvironmentFactory } from './lab-environment.js';
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  labEnvironmentFactory,
});

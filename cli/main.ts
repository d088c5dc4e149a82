// Entry point of the `kubelab` binary: the only place that reads process state and sets the exit code.
import { createLabEnvironmentFactory } from './lab-environment.js';
import { runCli } from './program.js';

const argv = process.argv.slice(2);
const out = (text: string) => process.stdout.write(`${text}\n`);
const err = (text: string) => process.stderr.write(`${text}\n`);
// Only `kubelab test` needs clusters; the other commands must work without Docker.
const labEnvironmentFactory = argv[0] === 'test' ? await createLabEnvironmentFactory(out) : undefined;

process.exitCode = await runCli(argv, { cwd: process.cwd(), out, err, labEnvironmentFactory });

// The process: reads flags and the environment, builds the app with kind and Docker, listens,
// and shuts down on SIGINT/SIGTERM. The only file that touches process state.
import { pino } from 'pino';
import { readVersions } from '../images/build/targets.js';
import { createApp } from './app.js';
import { execaRunner } from './clusters/command.js';
import { KindProvider, findKind } from './clusters/kind.js';
import { CONFIG_USAGE, ConfigError, parseConfig } from './config.js';
import { dockerSessionHealth, dockerToolboxHost, probeHost } from './sessions/session-manager.js';
import { StoreError } from './store/store.js';

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(`npm start -- [flags]   (flags win over variables)\n${CONFIG_USAGE}`);
    return;
  }
  const config = parseConfig(process.argv.slice(2), process.env, process.cwd());
  const log = pino({ level: config.logLevel });
  const versions = await readVersions();
  const kind = await findKind();
  const provider = new KindProvider({ kind, networkPool: config.networkPool });
  const app = await createApp(config, {
    logger: log,
    provider,
    toolboxes: dockerToolboxHost(),
    health: dockerSessionHealth(),
    readiness: () => probeHost({ run: execaRunner, kind, images: [versions.node.image, versions.toolbox.image], imagesMode: config.imagesMode }),
    images: { node: versions.node.image, toolbox: versions.toolbox.image, warm: versions.workloads },
    terminalEnv: Object.fromEntries(['PATH', 'HOME', 'LANG', 'DOCKER_HOST'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : []))),
  });
  await new Promise<void>((resolve, reject) => {
    app.server.once('error', reject);
    app.server.listen(config.port, config.host, resolve);
  });
  log.info({ url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}` }, 'kubelab is listening');
  log.info({ maxSessions: config.maxSessions, poolSize: config.poolSize }, `up to ${config.maxSessions} labs at once (--max-sessions)`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn('second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    app.close().then(
      () => {
        process.exitCode = 0;
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  // `on`, not `once`: execa's child clean-up (signal-exit) re-raises a signal when it sees no
  // other listener left, which killed the server mid-shutdown whenever a docker or kind command
  // was running (a health probe), leaving the warm pool's clusters behind.
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StoreError) console.error(error.message);
  else console.error(error);
  process.exitCode = 1;
});

import type { Command } from 'commander';
import { ensureCredentials } from '../config/ensure-credentials.js';
import { loadClusterFile } from '../config/load-cluster-file.js';
import { createLogger } from '../kit/create-logger.js';
import { parseIntegerOption } from './parse-options.js';
import { notifyReady } from './notify-ready.js';
import { runUntilSignal } from './run-until-signal.js';
import { restrictNewFiles } from '../runtime/restrict-state-access.js';
import { httpUrl } from '../common/http-url.js';
import { stateLayout } from '../config/state-layout.js';

/** Where the registry keeps its listing between restarts. */
export function registryStateFile(stateDir: string): string {
  return stateLayout(stateDir).registryState;
}

/** `ecom iscs [--port P]`: the service registry alone, in the foreground. */
export function registerIscsCommand(program: Command): void {
  program
    .command('iscs')
    .description('run the ISCS service registry alone in the foreground (SIGTERM or Ctrl-C stops it)')
    .option('--port <port>', 'port to listen on (default: iscs.port of the cluster file, 5100)', (v) => parseIntegerOption(v, '--port', 0, 65535))
    .option('-c, --config <file>', 'cluster file', 'config.json')
    .action(async (opts: { port?: number; config: string }) => {
      const cluster = loadClusterFile(opts.config);
      restrictNewFiles();
      const log = createLogger({ service: 'iscs', instance: 'iscs', level: cluster.logs.level });
      const { startIscsServer } = await import('../registry/start-iscs-server.js');
      const handle = await startIscsServer({
        host: cluster.host,
        port: opts.port ?? cluster.iscs.port,
        ttlMs: cluster.iscs.ttlMs,
        credentials: ensureCredentials(cluster.stateDir),
        stateFile: registryStateFile(cluster.stateDir),
        log,
      });
      const stopped = runUntilSignal(() => handle.close());
      notifyReady();
      process.stdout.write(`iscs ready on ${httpUrl(cluster.host, handle.port)} (pid ${process.pid}, ttl ${cluster.iscs.ttlMs} ms)\n`);
      await stopped;
    });
}

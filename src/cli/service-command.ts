import type { Command } from 'commander';
import { loadClusterFile } from '../config/load-cluster-file.js';
import { SERVICE_KINDS, type ServiceKind } from '../config/defaults.js';
import { UsageError } from '../common/ecom-error.js';
import { parseIntegerOption } from './parse-options.js';
import { notifyReady } from './notify-ready.js';
import { runUntilSignal } from './run-until-signal.js';
import { restrictNewFiles } from '../runtime/restrict-state-access.js';
import { httpUrl } from '../common/http-url.js';

/** `ecom service start KIND --id N --port P`: one service instance in the foreground. */
export function registerServiceCommand(program: Command): void {
  const service = program.command('service').description('run single service instances by hand');
  service
    .command('start')
    .description(`run one instance of a service (${SERVICE_KINDS.join(', ')}) in the foreground; SIGTERM or Ctrl-C stops it gracefully`)
    .argument('<kind>', `service kind: ${SERVICE_KINDS.join(' | ')}`)
    .requiredOption('--id <n>', 'instance id (positive integer, unique within the kind)', (v) => parseIntegerOption(v, '--id', 1))
    .requiredOption('--port <port>', 'port to listen on (0 picks a free one)', (v) => parseIntegerOption(v, '--port', 0, 65535))
    .option('-c, --config <file>', 'cluster file', 'config.json')
    .option('--iscs <url>', 'registry to register with (default: from the cluster file); "none" runs unregistered')
    .action(async (kind: string, opts: { id: number; port: number; config: string; iscs?: string }) => {
      if (!(SERVICE_KINDS as readonly string[]).includes(kind)) {
        throw new UsageError('unknown_service', `unknown service "${kind}": expected one of ${SERVICE_KINDS.join(', ')}`);
      }
      const cluster = loadClusterFile(opts.config);
      restrictNewFiles();
      const [definition, { startService }] = await Promise.all([
        import('../services/all-services.js').then(({ SERVICE_DEFINITIONS }) => SERVICE_DEFINITIONS[kind as ServiceKind]()),
        import('../services/shared/start-service.js'),
      ]);
      const handle = await startService({
        definition,
        id: opts.id,
        port: opts.port,
        cluster,
        registryUrl: opts.iscs === 'none' ? null : opts.iscs,
      });
      const stopped = runUntilSignal(() => handle.close());
      notifyReady();
      process.stdout.write(`${handle.instanceId} ready on ${httpUrl(cluster.host, handle.port)} (pid ${process.pid})\n`);
      await stopped;
    });
}

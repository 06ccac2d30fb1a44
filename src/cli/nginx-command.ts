import type { Command } from 'commander';
import { loadClusterFile } from '../config/load-cluster-file.js';
import { EcomError } from '../common/ecom-error.js';
import { readRegistry } from '../registry/read-registry.js';
import { stateLayout } from '../config/state-layout.js';
import { runningNginxPid } from '../gateway/control-nginx.js';
import { createLogger } from '../kit/create-logger.js';
import { gatewayUrlOf, registryUrlOf } from '../config/cluster-urls.js';
import { runUntilSignal } from './run-until-signal.js';
import { restrictNewFiles } from '../runtime/restrict-state-access.js';

interface NginxOptions {
  config: string;
  iscs?: string;
  template?: string;
}

/** `ecom nginx render|reload|start`: the gateway config for the current registrations. */
export function registerNginxCommand(program: Command): void {
  const nginx = program.command('nginx').description('the nginx gateway: render, apply, or run it with live registrations');
  const common = (cmd: Command): Command =>
    cmd
      .option('-c, --config <file>', 'cluster file', 'config.json')
      .option('--iscs <url>', 'registry URL (default: from the cluster file)')
      .option('--template <file>', 'nginx template (default: templates/nginx.conf.hbs)');

  common(nginx.command('render').description('print the nginx.conf for the current registrations')).action(async (opts: NginxOptions) => {
    const cluster = loadClusterFile(opts.config);
    const snapshot = await readRegistry(opts.iscs ?? registryUrlOf(cluster));
    const { compileNginxTemplate } = await import('../gateway/render-nginx-config.js');
    process.stdout.write(compileNginxTemplate(opts.template)(cluster, snapshot));
  });

  common(nginx.command('reload').description('render, validate (nginx -t) and apply the config to the running nginx')).action(async (opts: NginxOptions) => {
    const cluster = loadClusterFile(opts.config);
    const paths = stateLayout(cluster.stateDir).nginx;
    if (runningNginxPid(paths) === undefined) {
      throw new EcomError('nginx_not_running', `no nginx runs for ${cluster.stateDir}`, {
        hint: 'start it with `ecom up` or `ecom nginx start`',
      });
    }
    const snapshot = await readRegistry(opts.iscs ?? registryUrlOf(cluster));
    const log = createLogger({ service: 'nginx', instance: 'cli', level: 'warn' });
    const [{ compileNginxTemplate }, { syncProxy }] = await Promise.all([import('../gateway/render-nginx-config.js'), import('../gateway/sync-proxy.js')]);
    const sync = syncProxy({ cluster, render: compileNginxTemplate(opts.template), log });
    sync.update(snapshot);
    await sync.flush();
    const status = sync.status();
    if (status.lastError) throw new EcomError('nginx_config_invalid', status.lastError.message);
    process.stdout.write(`nginx ${status.reloads ? 'reloaded' : 'config unchanged, not reloaded'} for registry index ${snapshot.index} (${paths.config})\n`);
  });

  common(nginx.command('start').description('run nginx in the foreground, reloaded whenever registrations change')).action(async (opts: NginxOptions) => {
    const cluster = loadClusterFile(opts.config);
    restrictNewFiles();
    const log = createLogger({ service: 'nginx', instance: 'gateway', level: cluster.logs.level });
    const { runGateway } = await import('../cluster/run-gateway.js');
    const gateway = await runGateway({ cluster, registryUrl: opts.iscs ?? registryUrlOf(cluster), log, templateFile: opts.template });
    const stopped = runUntilSignal(() => gateway.close());
    process.stdout.write(`gateway ready on ${gatewayUrlOf(cluster)} (nginx pid ${gateway.nginxPid})\n`);
    await stopped;
  });
}

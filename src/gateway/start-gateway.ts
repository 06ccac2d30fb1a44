import { EcomError } from '../common/ecom-error.js';
import type { Logger } from '../kit/create-logger.js';
import { nginxPaths } from '../config/nginx-paths.js';
import { compileNginxTemplate } from './render-nginx-config.js';
import { syncProxy, type ProxySync, type ProxySyncStatus } from './sync-proxy.js';
import { watchRegistry } from '../registry/watch-registry.js';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { startNginx } from './start-nginx.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The gateway: nginx plus the loop that keeps its config equal to the registry's listing. */
export interface GatewayHandle {
  nginxPid: number;
  sync: ProxySync;
  close(): Promise<void>;
}

/** Path of the proxy sync's status file, read by `ecom status`. */
export function proxySyncStatusPath(stateDir: string): string {
  return join(nginxPaths(stateDir).prefix, 'sync-status.json');
}

/**
 * Starts the gateway: renders a first config from the registry (or an empty one if it does not answer within a
 * heartbeat: every route then answers 503 no_instances), starts nginx on it, then follows the registry.
 */
export async function startGateway(options: { cluster: ClusterConfig; registryUrl: string; log: Logger; templateFile?: string }): Promise<GatewayHandle> {
  const { cluster, log } = options;
  const statusFile = proxySyncStatusPath(cluster.stateDir);
  const sync = syncProxy({
    cluster,
    render: compileNginxTemplate(options.templateFile),
    log,
    onStatus: (status: ProxySyncStatus) => writeFileSync(statusFile, JSON.stringify(status)),
  });
  const watch = watchRegistry({ registryUrl: options.registryUrl, log, onChange: (s) => sync.update(s) });
  const first = (await watch.ready(cluster.iscs.heartbeatMs)) ?? { index: 0, services: {} };
  sync.update(first);
  await sync.flush();
  const problem = sync.status().lastError;
  if (problem && sync.status().appliedIndex === undefined) {
    watch.close();
    await sync.close();
    throw new EcomError('gateway_config_invalid', problem.message, { hint: 'fix templates/nginx.conf.hbs or the cluster file' });
  }
  const nginx = await startNginx(nginxPaths(cluster.stateDir));
  const current = watch.current();
  if (current) sync.update(current);
  let closing: Promise<void> | undefined;
  return {
    nginxPid: nginx.pid,
    sync,
    close() {
      closing ??= (async () => {
        watch.close();
        await sync.close();
        await nginx.close();
      })();
      return closing;
    },
  };
}

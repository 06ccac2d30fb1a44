import { writeFileSync } from 'node:fs';
import { EcomError } from '../common/ecom-error.js';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { stateLayout } from '../config/state-layout.js';
import type { Logger } from '../kit/create-logger.js';
import { watchRegistry, type RegistryWatch } from '../registry/watch-registry.js';
import { compileNginxTemplate } from './render-nginx-config.js';
import { syncProxy, type ProxySync, type ProxySyncStatus } from './sync-proxy.js';

/** Something that runs until stopped (nginx, however it was started). */
export interface Stoppable {
  stop(): Promise<void>;
}

/** The gateway: the registry watch, the proxy sync keeping nginx's config equal to the listing, and nginx itself. */
export interface Gateway {
  watch: RegistryWatch;
  sync: ProxySync;
  /**
   * Renders the current listing (an empty one if none came within a heartbeat, or at once with the Lua balancer: every
   * route then answers 503 no_instances until peers come), refuses to go on when nginx -t rejects it, starts nginx
   * with `launch`, then follows the registry.
   */
  serve<T extends Stoppable>(launch: () => Promise<T>): Promise<T>;
  /** Stops following the registry, then stops nginx if `serve` started it. Idempotent. */
  close(): Promise<void>;
}

/**
 * The one way a gateway is assembled, for `ecom up` and `ecom nginx start`: watch the registry, feed each listing
 * to the proxy sync, write its status to the status file `ecom status` reads. Starting nginx is passed in (`serve`),
 * since how processes run is decided above this layer.
 */
export function startGateway(options: {
  cluster: ClusterConfig;
  registryUrl: string;
  log: Logger;
  templateFile?: string;
  onStatus?: (status: ProxySyncStatus) => void;
}): Gateway {
  const { cluster, log } = options;
  const statusFile = stateLayout(cluster.stateDir).proxySyncStatus;
  const sync = syncProxy({
    cluster,
    render: compileNginxTemplate(options.templateFile),
    log,
    onStatus: (status) => {
      writeFileSync(statusFile, JSON.stringify(status));
      options.onStatus?.(status);
    },
  });
  const watch = watchRegistry({ registryUrl: options.registryUrl, log, onChange: (s) => sync.update(s) });
  let nginx: Stoppable | undefined;
  let closing: Promise<void> | undefined;
  return {
    watch,
    sync,
    async serve(launch) {
      // The Lua balancer's config holds no peers: nginx need not wait for the registry, peers follow as they register.
      const waitForListing = sync.status().mode !== 'lua';
      const first = watch.current() ?? (waitForListing ? await watch.ready(cluster.iscs.heartbeatMs) : undefined) ?? { index: 0, services: {} };
      sync.update(first);
      await sync.flush();
      const { lastError, appliedIndex } = sync.status();
      if (lastError && (appliedIndex === undefined || lastError.index >= appliedIndex)) {
        throw new EcomError('gateway_config_invalid', lastError.message, { hint: 'fix templates/nginx.conf.hbs or the cluster file' });
      }
      const started = await launch();
      nginx = started;
      const current = watch.current();
      if (current) sync.update(current);
      return started;
    },
    close() {
      closing ??= (async () => {
        watch.close();
        await sync.close();
        await nginx?.stop();
      })();
      return closing;
    },
  };
}

import type { ClusterConfig } from '../config/cluster-schema.js';
import { registryUrlOf } from '../config/cluster-urls.js';
import type { Logger } from '../kit/create-logger.js';
import { startGateway, type Gateway } from '../gateway/start-gateway.js';

/**
 * The cluster's gateway (registry watch, proxy sync, nginx), started once the registry runs. What needs it earlier —
 * nginx and the routed waits of instances starting alongside the registry — awaits `ready`.
 */
export class ClusterGateway {
  current: Gateway | undefined;
  readonly ready: Promise<Gateway>;
  private resolve: (gateway: Gateway) => void = () => undefined;

  constructor() {
    this.ready = new Promise((resolve) => (this.resolve = resolve));
  }

  /** Starts the gateway of `cluster` (nginx listening on `listenHost` when given) and hands it to whoever waits. Once. */
  start(cluster: ClusterConfig, listenHost: string | undefined, log: Logger, onStatus: () => void): Gateway {
    if (this.current) return this.current;
    this.current = startGateway({ cluster: { ...cluster, host: listenHost ?? cluster.host }, registryUrl: registryUrlOf(cluster), log, onStatus });
    this.resolve(this.current);
    return this.current;
  }
}

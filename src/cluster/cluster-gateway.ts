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

  /** Starts the gateway (startGateway) and hands it to whoever waits. */
  start(options: Parameters<typeof startGateway>[0]): Gateway {
    this.current = startGateway(options);
    this.resolve(this.current);
    return this.current;
  }
}

import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** How often the drain looks, and how long nothing may be connected before it ends early. */
const CHECK_MS = 25;
const UNCONNECTED_MS = 50;

/**
 * After deregistering, waits until the gateway has stopped sending requests here: returns once no request arrived
 * for `quietMs`, or once no client has been connected for UNCONNECTED_MS (the gateway is gone, as in `ecom down`, or
 * keeps no connection here: a request it still routes here would find the port closed, which it retries elsewhere),
 * or once `gatewayGone` says the gateway no longer listens (`ecom down` stops it first; peers' and probes' idle
 * keep-alive connections would otherwise hold the drain for `quietMs`), or after `maxMs` at most.
 */
export async function drainTraffic(server: Server, options: { quietMs: number; maxMs: number; gatewayGone?: () => Promise<boolean> }): Promise<void> {
  let arrivals = 0;
  const onRequest = (): void => void arrivals++;
  server.on('request', onRequest);
  const start = Date.now();
  let seen = 0;
  let quietSince = start;
  let unconnectedSince: number | undefined;
  const connections = (): Promise<number> => new Promise((resolve) => server.getConnections((err, count) => resolve(err ? 1 : count)));
  try {
    // `ecom down` stops the gateway before the instances: then there is nothing to wait for at all.
    if (await options.gatewayGone?.()) return;
    while (Date.now() - start < options.maxMs) {
      await sleep(CHECK_MS);
      const now = Date.now();
      unconnectedSince = (await connections()) === 0 ? (unconnectedSince ?? now) : undefined;
      if (arrivals !== seen) {
        seen = arrivals;
        quietSince = now;
      } else if (now - quietSince >= options.quietMs || (unconnectedSince !== undefined && now - unconnectedSince >= UNCONNECTED_MS)) {
        return;
      } else if (await options.gatewayGone?.()) {
        return;
      }
    }
  } finally {
    server.off('request', onRequest);
  }
}

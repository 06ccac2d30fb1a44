import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * After deregistering, waits until the gateway has stopped sending requests here: returns once no request arrived
 * for `quietMs`, or after `maxMs` at most. With the gateway already gone this takes just `quietMs`.
 */
export async function drainTraffic(server: Server, options: { quietMs: number; maxMs: number }): Promise<void> {
  let arrivals = 0;
  const onRequest = (): void => void arrivals++;
  server.on('request', onRequest);
  const start = Date.now();
  let seen = 0;
  let quietSince = start;
  try {
    while (Date.now() - start < options.maxMs) {
      await sleep(25);
      if (arrivals !== seen) {
        seen = arrivals;
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= options.quietMs) {
        return;
      }
    }
  } finally {
    server.off('request', onRequest);
  }
}

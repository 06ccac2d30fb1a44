import type { PeerClient } from '../shared/call-peers.js';
import type { Logger } from '../../kit/create-logger.js';
import type { OrderStore } from './order-store.js';
import { releaseReservation } from './place-order.js';
import { retryWhileBusy } from '../shared/retry-while-busy.js';

/**
 * Periodically gives back the stock of order attempts whose request died between reserving and saving (a killed
 * process, an unreachable product service). An attempt is stale once older than `staleAfterMs`, far beyond any
 * live request. Returns a stop function; every order instance may run this, releases are idempotent.
 */
export function releaseStaleOrders(options: { store: OrderStore; peers: PeerClient; log: Logger; staleAfterMs: number; everyMs: number }): () => void {
  let running = false;
  const sweep = async (): Promise<void> => {
    const before = new Date(Date.now() - options.staleAfterMs).toISOString();
    for (const id of options.store.stalePending(before)) {
      if (!(await retryWhileBusy(() => options.store.beginRelease(id)))) continue;
      if (await releaseReservation(options.peers, id)) {
        await retryWhileBusy(() => options.store.discard(id));
        options.log.warn('released the stock of an abandoned order attempt', { orderId: id });
      }
    }
  };
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweep()
      .catch((err: unknown) => options.log.error('stale order sweep failed', { error: String(err) }))
      .finally(() => (running = false));
  }, options.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

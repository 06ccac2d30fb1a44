import type { PeerClient, PeerResponse } from '../shared/call-peers.js';
import { flushWhenSettled } from '../shared/flush-when-settled.js';

/** Reserves an order's items at the product service under the order's id; the answer as that service gave it. */
export type ReserveStock = (id: string, items: ReadonlyArray<{ productId: number; quantity: number }>) => Promise<PeerResponse>;

/** Most reservations sent in one call (the product service's limit). */
const BATCH_MAX = 100;

/** One `PUT /internal/reservations/:id` per order. */
export function reserveOneByOne(peers: PeerClient): ReserveStock {
  return (id, items) => peers.call('product', { method: 'PUT', path: `/internal/reservations/${id}`, body: { items }, idempotent: true });
}

interface Pending {
  id: string;
  items: ReadonlyArray<{ productId: number; quantity: number }>;
  resolve: (answer: PeerResponse) => void;
  reject: (err: unknown) => void;
}

/**
 * Reservations asked for before the microtask queue runs dry go to the product service in one
 * `PUT /internal/reservations` (one HTTP exchange and one commit there for many orders); each order gets the answer
 * of its own entry, exactly as a call of its own would have answered. A lone order uses the one-order route, and so
 * does every order of a batch an instance without the batch route (404) refused. Idempotent as each entry is.
 */
export function reserveInBatches(peers: PeerClient): ReserveStock {
  const one = reserveOneByOne(peers);
  let queue: Pending[] = [];
  const settleOneByOne = (batch: readonly Pending[]): void => {
    for (const p of batch) one(p.id, p.items).then(p.resolve, p.reject);
  };
  const send = async (batch: Pending[]): Promise<void> => {
    if (batch.length === 1) return settleOneByOne(batch);
    let res: PeerResponse;
    try {
      const body = { reservations: batch.map((p) => ({ id: p.id, items: p.items })) };
      res = await peers.call('product', { method: 'PUT', path: '/internal/reservations', body, idempotent: true });
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    if (res.status === 404) return settleOneByOne(batch);
    if (res.status !== 200) {
      for (const p of batch) p.resolve(res);
      return;
    }
    const results = (res.body as { results?: Array<{ id: string; status: number; body: unknown }> } | undefined)?.results;
    batch.forEach((p, i) => {
      const entry = results?.[i];
      // An answer without this order's entry says nothing of its stock: failing lets the order give it back.
      if (entry && entry.id === p.id) p.resolve({ status: entry.status, body: entry.body });
      else p.reject(new Error(`the product service's batch answer has no entry for reservation ${p.id}`));
    });
  };
  const flush = (): void => {
    const all = queue;
    queue = [];
    for (let i = 0; i < all.length; i += BATCH_MAX) void send(all.slice(i, i + BATCH_MAX));
  };
  return (id, items) =>
    new Promise<PeerResponse>((resolve, reject) => {
      // The orders whose first write committed together (one group commit) all reach here as its answers resolve;
      // their batch leaves in that turn, not behind a whole further turn of the event loop (an immediate would).
      if (queue.length === 0) flushWhenSettled(flush);
      queue.push({ id, items, resolve, reject });
    });
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/kit/create-logger.js';
import { ORDER_MIGRATIONS, openOrderStore, type OrderStore } from '../../../src/services/order/order-store.js';
import { placeOrder } from '../../../src/services/order/place-order.js';
import { ownerAliveIn, ownerOf } from '../../../src/services/order/order-owner.js';
import { releaseStaleOrders } from '../../../src/services/order/release-stale-orders.js';
import type { PeerClient, PeerRequest, PeerResponse } from '../../../src/services/shared/call-peers.js';
import { openDatabase, type Db } from '../../../src/services/shared/open-database.js';
import { openOutboxStore } from '../../../src/services/shared/outbox-store.js';

const quiet = createLogger({
  service: 'test',
  instance: 'test',
  level: 'error',
  out: { write: () => true } as unknown as NodeJS.WritableStream,
});

/** A gate a fake peer call waits at until the test opens it. */
function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/**
 * A product service in memory: reservations by order id (PUT takes, DELETE gives back, both idempotent), with
 * optional gates so a test can hold a call in flight — the injected delay of a slow first request.
 */
function fakeProducts() {
  const reserved = new Set<string>();
  const holds: { put: Array<{ wait: Promise<void> } | undefined>; del: Array<{ wait: Promise<void> } | undefined> } = { put: [], del: [] };
  const calls = { put: 0, del: 0 };
  const peers: PeerClient = {
    async call(kind, request: PeerRequest): Promise<PeerResponse> {
      if (kind === 'user') return { status: 200, body: { user: { name: 'N', address: 'A', phone: 'P', profileVersion: 1 } } };
      const id = request.path.split('/').pop()!;
      if (request.method === 'PUT') {
        await holds.put[calls.put++]?.wait;
        reserved.add(id);
        return { status: 201, body: { reservation: { items: [{ productId: 1, quantity: 1, unitPrice: 100 }] } } };
      }
      await holds.del[calls.del++]?.wait;
      reserved.delete(id);
      return { status: 204, body: undefined };
    },
  };
  return { peers, reserved, holds };
}

describe('giving stock back for an order attempt is atomic with placing it', () => {
  let dir: string;
  let db: Db;
  let store: OrderStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-handback-'));
    db = openDatabase(join(dir, 'order.db'), ORDER_MIGRATIONS);
    store = openOrderStore(db, openOutboxStore(db));
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One unit of product 1 ordered by `userId` under `idempotencyKey`, against the fake products. */
  const orderOf = (products: ReturnType<typeof fakeProducts>, userId: number, idempotencyKey: string, waitForPeerMs: number) => ({
    store,
    peers: products.peers,
    log: quiet,
    userId,
    items: [{ productId: 1, quantity: 1 }],
    idempotencyKey,
    waitForPeerMs,
  });

  /** Every placed order still holds its reservation, and nothing else is held. */
  const expectStockConserved = (reserved: Set<string>): void => {
    const placed = store.list({ afterSeq: 0, limit: 100 }).map((o) => o.order.id);
    expect([...reserved].sort()).toEqual(placed.sort());
  };

  it('a retry that takes over a slow first request never gives back the stock of the order that request then places', async () => {
    const products = fakeProducts();
    const slowPut = gate();
    const slowRelease = gate();
    products.holds.put[0] = slowPut;
    products.holds.del[0] = slowRelease;
    const order = orderOf(products, 7, 'k-1', 30);

    const first = placeOrder(order).then(
      (r) => ({ ok: true as const, id: r.order.id }),
      (err: unknown) => ({ ok: false as const, err }),
    );
    await new Promise((r) => setTimeout(r, 60)); // the first request is now older than the allowance
    const retry = placeOrder(order); // takes over: claims the attempt, then its release hangs
    await new Promise((r) => setTimeout(r, 20));
    slowPut.open(); // the first request's reservation lands while the retry is giving it back
    const firstOutcome = await first;
    slowRelease.open();
    const placed = await retry;

    expect(firstOutcome.ok).toBe(false);
    expect(store.list({ afterSeq: 0, limit: 100 })).toHaveLength(1);
    expect(placed.order.id).not.toBe(undefined);
    expectStockConserved(products.reserved);
  });

  it('the sweeper claims a stale attempt, gives its stock back and forgets it', async () => {
    const products = fakeProducts();
    store.begin({ id: 'a-1', userId: 1, idempotencyKey: 'k-2', requestHash: 'h' });
    products.reserved.add('a-1');
    const stop = releaseStaleOrders({ store, peers: products.peers, log: quiet, staleAfterMs: -1000, everyMs: 10 });
    await new Promise((r) => setTimeout(r, 80));
    stop();
    expect(products.reserved.size).toBe(0);
    expect(store.findByKey(1, 'k-2')).toBeUndefined();
  });

  it('a claimed attempt can no longer be placed', () => {
    store.begin({ id: 'a-2', userId: 1, idempotencyKey: 'k-3', requestHash: 'h' });
    expect(store.beginRelease('a-2')).toBe(true);
    expect(() => store.place('a-2', [{ productId: 1, quantity: 1, unitPrice: 100 }], { name: 'N', address: 'A', phone: 'P', profileVersion: 1 })).toThrow(
      /no longer pending/,
    );
  });

  it('a retry takes over at once from an attempt whose process is gone, without waiting out the allowance', async () => {
    const products = fakeProducts();
    products.holds.put[0] = gate(); // the first request's process dies while its reservation is on the way: never answers
    const order = orderOf(products, 9, 'k-9', 60_000);
    void placeOrder({ ...order, owner: '7:111', ownerAlive: () => true }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
    const orphan = store.findByKey(9, 'k-9');
    expect(orphan).toMatchObject({ status: 'pending', owner: '7:111' });
    products.reserved.add((orphan as { id: string }).id); // what the dead process had taken
    const started = Date.now();
    const retry = await placeOrder({ ...order, owner: '8:222', ownerAlive: (owner) => owner !== '7:111' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(retry.replayed).toBe(false);
    expect(products.reserved.has((orphan as { id: string }).id)).toBe(false);
    expectStockConserved(products.reserved);
  });

  it('tells a live owner from a dead or restarted one by the registry listing', () => {
    const listing = [
      { id: 5, host: '127.0.0.1', port: 1, meta: { pid: '100' } },
      { id: 6, host: '127.0.0.1', port: 2 },
    ];
    const alive = ownerAliveIn({ list: () => listing, close: () => undefined }, { id: 7, pid: 300 });
    expect(alive(ownerOf(5, 100))).toBe(true);
    expect(alive(ownerOf(5, 101))).toBe(false); // restarted: a new pid registered
    expect(alive(ownerOf(9, 100))).toBe(false); // gone from the listing
    expect(alive(ownerOf(6, 1))).toBe(true); // no pid registered: cannot tell, so wait
    expect(alive(ownerOf(7, 300))).toBe(true); // this very process
    expect(alive(ownerOf(7, 299))).toBe(false); // an earlier life of this instance
  });
});

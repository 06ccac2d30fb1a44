import type { Db } from '../shared/open-database.js';
import type { OutboxStore } from '../shared/outbox-store.js';

/** One order line with the unit price captured at reservation time. */
export interface OrderItem {
  productId: number;
  quantity: number;
  unitPrice: number;
}

/** An order as the API shows it. */
export interface Order {
  id: string;
  userId: number;
  items: OrderItem[];
  total: number;
  status: 'placed' | 'shipped' | 'cancelled';
  shipping: { name: string; address: string; phone: string };
  createdAt: string;
}

/** The state of an order attempt found under an idempotency key. */
export type OrderAttempt =
  | { status: 'pending'; id: string; requestHash: string; createdAt: string; abandoned: boolean; releasing: boolean; owner: string }
  | { status: 'placed'; order: Order; requestHash: string };

/** Schema versions of order.db, applied in order, never rewritten. */
export const ORDER_MIGRATIONS = [
  `CREATE TABLE orders (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     user_id INTEGER NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('pending', 'placed', 'shipped', 'cancelled')),
     idempotency_key TEXT,
     request_hash TEXT NOT NULL,
     total INTEGER NOT NULL DEFAULT 0,
     shipping_name TEXT NOT NULL DEFAULT '',
     shipping_address TEXT NOT NULL DEFAULT '',
     shipping_phone TEXT NOT NULL DEFAULT '',
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE UNIQUE INDEX orders_idempotency ON orders (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
   CREATE INDEX orders_by_user ON orders (user_id, seq);
   CREATE INDEX orders_by_status ON orders (status, created_at);
   CREATE TABLE order_items (
     order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
     product_id INTEGER NOT NULL,
     quantity INTEGER NOT NULL CHECK (quantity > 0),
     unit_price INTEGER NOT NULL CHECK (unit_price >= 0),
     PRIMARY KEY (order_id, product_id)
   );`,
  `ALTER TABLE orders ADD COLUMN shipping_version INTEGER NOT NULL DEFAULT 0`,
  `ALTER TABLE orders ADD COLUMN abandoned INTEGER NOT NULL DEFAULT 0`,
  `ALTER TABLE orders ADD COLUMN releasing INTEGER NOT NULL DEFAULT 0`,
  `ALTER TABLE orders ADD COLUMN owner TEXT NOT NULL DEFAULT ''`,
  // The local copy of users' shipping details, from user events (shipping-copy-store.ts).
  `CREATE TABLE user_shipping (user_id INTEGER PRIMARY KEY, name TEXT NOT NULL, address TEXT NOT NULL, phone TEXT NOT NULL,
     profile_version INTEGER NOT NULL)`,
] as const;

interface OrderRow {
  seq: number;
  id: string;
  user_id: number;
  status: Order['status'] | 'pending';
  request_hash: string;
  abandoned: number;
  releasing: number;
  owner: string;
  total: number;
  shipping_name: string;
  shipping_address: string;
  shipping_phone: string;
  created_at: string;
}

/** All SQL of the order service. */
export interface OrderStore {
  /** Records an attempt before any stock is taken; answers the existing attempt if the key was used already. */
  /** `owner` names the process placing it (`<instance id>:<pid>`), so a retry can tell when that process is gone. */
  begin(input: { id: string; userId: number; idempotencyKey?: string; requestHash: string; owner?: string }): 'started' | OrderAttempt;
  findByKey(userId: number, idempotencyKey: string): OrderAttempt | undefined;
  /** Turns a pending attempt into a placed order with its items and shipping details, atomically. */
  place(id: string, items: readonly OrderItem[], shipping: CapturedShipping): Order;
  /** Forgets a pending attempt whose stock was not taken or was given back. */
  discard(id: string): void;
  /** Marks a pending attempt whose request gave up while its stock could not be given back (a retry may take over). */
  abandon(id: string): void;
  /**
   * Claims a pending attempt for giving its stock back: from now on it can never be placed. False when it was placed
   * meanwhile (its stock must then stay taken). Release, then `discard`, only after this answered true.
   */
  beginRelease(id: string): boolean;
  get(id: string): Order | undefined;
  /** Placed orders after `afterSeq`, newest last; one user's, or everyone's when `userId` is undefined. */
  list(options: { userId?: number; afterSeq: number; limit: number }): Array<{ seq: number; order: Order }>;
  /** Pending attempts older than `before` (their request died mid-way): candidates for release. */
  stalePending(before: string): string[];
  /** Applies a newer profile to the user's orders that have not shipped yet; returns how many changed. */
  updateShipping(userId: number, shipping: Order['shipping'], profileVersion: number): number;
}

/** Shipping details as captured from the user's profile, with the profile version they come from. */
export type CapturedShipping = Order['shipping'] & { profileVersion: number };

/** Prepares the order store's statements on an open database; placed orders announce themselves through `outbox`. */
export function openOrderStore(db: Db, outbox: OutboxStore): OrderStore {
  const insert = db.prepare(
    `INSERT INTO orders (id, user_id, status, idempotency_key, request_hash, owner, created_at, updated_at)
     VALUES (@id, @userId, 'pending', @idempotencyKey, @requestHash, @owner, @now, @now)`,
  );
  const byKey = db.prepare('SELECT * FROM orders WHERE user_id = ? AND idempotency_key = ?');
  const byId = db.prepare('SELECT * FROM orders WHERE id = ?');
  const itemsOf = db.prepare('SELECT product_id AS productId, quantity, unit_price AS unitPrice FROM order_items WHERE order_id = ? ORDER BY product_id');
  const insertItem = db.prepare('INSERT INTO order_items (order_id, product_id, quantity, unit_price) VALUES (?, ?, ?, ?)');
  const markPlaced = db.prepare(
    `UPDATE orders SET status = 'placed', total = @total, shipping_name = @name, shipping_address = @address,
       shipping_phone = @phone, shipping_version = @profileVersion, updated_at = @now WHERE id = @id AND status = 'pending' AND releasing = 0`,
  );
  const discard = db.prepare("DELETE FROM orders WHERE id = ? AND status = 'pending'");
  const abandon = db.prepare("UPDATE orders SET abandoned = 1 WHERE id = ? AND status = 'pending'");
  const markReleasing = db.prepare("UPDATE orders SET releasing = 1 WHERE id = ? AND status = 'pending'");
  const listAll = db.prepare("SELECT * FROM orders WHERE status <> 'pending' AND seq > ? ORDER BY seq LIMIT ?");
  const listMine = db.prepare("SELECT * FROM orders WHERE user_id = ? AND status <> 'pending' AND seq > ? ORDER BY seq LIMIT ?");
  const stale = db.prepare("SELECT id FROM orders WHERE status = 'pending' AND created_at < ? LIMIT 100").pluck();
  const reship = db.prepare(
    `UPDATE orders SET shipping_name = @name, shipping_address = @address, shipping_phone = @phone,
       shipping_version = @profileVersion, updated_at = @now
     WHERE user_id = @userId AND status = 'placed' AND shipping_version < @profileVersion`,
  );

  const toOrder = (row: OrderRow, items?: OrderItem[]): Order => ({
    id: row.id,
    userId: row.user_id,
    items: items ?? (itemsOf.all(row.id) as OrderItem[]),
    total: row.total,
    status: row.status as Order['status'],
    shipping: { name: row.shipping_name, address: row.shipping_address, phone: row.shipping_phone },
    createdAt: row.created_at,
  });
  const toAttempt = (row: OrderRow): OrderAttempt =>
    row.status === 'pending'
      ? {
          status: 'pending',
          id: row.id,
          requestHash: row.request_hash,
          createdAt: row.created_at,
          abandoned: row.abandoned === 1,
          releasing: row.releasing === 1,
          owner: row.owner,
        }
      : { status: 'placed', order: toOrder(row), requestHash: row.request_hash };

  const begin = db.transaction((input: { id: string; userId: number; idempotencyKey?: string; requestHash: string; owner?: string }) => {
    if (input.idempotencyKey !== undefined) {
      const row = byKey.get(input.userId, input.idempotencyKey) as OrderRow | undefined;
      if (row) return toAttempt(row);
    }
    insert.run({ ...input, idempotencyKey: input.idempotencyKey ?? null, owner: input.owner ?? '', now: new Date().toISOString() });
    return 'started' as const;
  });
  const place = db.transaction((id: string, items: readonly OrderItem[], shipping: CapturedShipping) => {
    for (const item of items) insertItem.run(id, item.productId, item.quantity, item.unitPrice);
    const total = items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0);
    const changed = markPlaced.run({ id, total, ...shipping, now: new Date().toISOString() }).changes;
    if (changed !== 1) throw new Error(`order ${id} is no longer pending`);
    const row = byId.get(id) as OrderRow;
    // The lines just written, in the order `itemsOf` reads them: no second query.
    const lines = items.map((i) => ({ productId: i.productId, quantity: i.quantity, unitPrice: i.unitPrice })).sort((a, b) => a.productId - b.productId);
    const order = toOrder(row, lines);
    outbox.append('ORDER_PLACED', { orderId: order.id, userId: order.userId, items: order.items, total: order.total, at: order.createdAt });
    return order;
  });

  return {
    begin: (input) => begin.immediate(input),
    findByKey(userId, key) {
      const row = byKey.get(userId, key) as OrderRow | undefined;
      return row && toAttempt(row);
    },
    place: (id, items, shipping) => place.immediate(id, items, shipping),
    discard: (id) => void discard.run(id),
    abandon: (id) => void abandon.run(id),
    beginRelease: (id) => markReleasing.run(id).changes === 1,
    get(id) {
      const row = byId.get(id) as OrderRow | undefined;
      return row && row.status !== 'pending' ? toOrder(row) : undefined;
    },
    list({ userId, afterSeq, limit }) {
      const rows = (userId === undefined ? listAll.all(afterSeq, limit) : listMine.all(userId, afterSeq, limit)) as OrderRow[];
      return rows.map((row) => ({ seq: row.seq, order: toOrder(row) }));
    },
    stalePending: (before) => stale.all(before) as string[],
    updateShipping: (userId, shipping, profileVersion) => reship.run({ userId, ...shipping, profileVersion, now: new Date().toISOString() }).changes,
  };
}

import type { Db } from '../shared/open-database.js';

/** A product as the API shows it; `version` grows with every catalogue edit (not with stock movements). */
export interface Product {
  id: number;
  name: string;
  description: string;
  price: number;
  stock: number;
  version: number;
}

/** One line of a reservation, with the unit price captured when the stock was taken. */
export interface ReservedItem {
  productId: number;
  quantity: number;
  unitPrice: number;
}

/** What reserving stock for an order did. */
export type ReserveResult =
  | { status: 'reserved'; items: ReservedItem[]; replayed: boolean }
  | { status: 'released' }
  | { status: 'insufficient_stock'; productId: number; requested: number; available: number }
  | { status: 'product_not_found'; productId: number };

/** Schema versions of product.db, applied in order, never rewritten. */
export const PRODUCT_MIGRATIONS = [
  `CREATE TABLE products (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL,
     description TEXT NOT NULL DEFAULT '',
     price INTEGER NOT NULL CHECK (price >= 0),
     stock INTEGER NOT NULL CHECK (stock >= 0),
     version INTEGER NOT NULL DEFAULT 1,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE reservations (
     id TEXT PRIMARY KEY,
     status TEXT NOT NULL CHECK (status IN ('held', 'released')),
     created_at TEXT NOT NULL,
     released_at TEXT
   );
   CREATE TABLE reservation_items (
     reservation_id TEXT NOT NULL REFERENCES reservations(id),
     product_id INTEGER NOT NULL,
     quantity INTEGER NOT NULL CHECK (quantity > 0),
     unit_price INTEGER NOT NULL,
     PRIMARY KEY (reservation_id, product_id)
   );`,
  `ALTER TABLE products ADD COLUMN sold INTEGER NOT NULL DEFAULT 0`,
  // Full-text search: an external-content FTS5 index over name and description, kept in step by triggers (a stock
  // movement touches neither column, so it never touches the index); existing rows are indexed once here.
  `CREATE VIRTUAL TABLE products_fts USING fts5(name, description, content = 'products', content_rowid = 'id');
   CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
     INSERT INTO products_fts (rowid, name, description) VALUES (new.id, new.name, new.description);
   END;
   CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN
     INSERT INTO products_fts (products_fts, rowid, name, description) VALUES ('delete', old.id, old.name, old.description);
   END;
   CREATE TRIGGER products_fts_update AFTER UPDATE OF name, description ON products BEGIN
     INSERT INTO products_fts (products_fts, rowid, name, description) VALUES ('delete', old.id, old.name, old.description);
     INSERT INTO products_fts (rowid, name, description) VALUES (new.id, new.name, new.description);
   END;
   INSERT INTO products_fts (products_fts) VALUES ('rebuild');`,
] as const;

/** All SQL of the product service. */
export interface ProductStore {
  create(input: { name: string; description: string; price: number; stock: number }): Product;
  get(id: number): Product | undefined;
  /** Products with id > afterId in id order (keyset: constant time per page at any depth). */
  list(options: { afterId: number; limit: number }): Product[];
  /** The current stock of a product (undefined when there is none): what a cached product is answered with. */
  stockOf(id: number): number | undefined;
  /** The current stock of each of `ids` that exists, in one query: what a cached page's stock is brought up to date with. */
  stocks(ids: readonly number[]): Map<number, number>;
  /** Optimistic update: applies only if the stored version is `version`. */
  update(id: number, version: number, patch: { name?: string; description?: string; price?: number }): Product | 'conflict' | undefined;
  delete(id: number): boolean;
  /** Takes stock for every item or for none, under one write lock; idempotent by reservation id. */
  reserve(reservationId: string, items: ReadonlyArray<{ productId: number; quantity: number }>): ReserveResult;
  /** Gives a held reservation's stock back; releasing an unknown id leaves a tombstone so a late reserve is refused. */
  release(reservationId: string): number[];
  /** Counts units sold (from ORDER_PLACED events). */
  recordSales(items: ReadonlyArray<{ productId: number; quantity: number }>): void;
  /** Units sold of a product so far. */
  soldOf(id: number): number | undefined;
}

class Rollback extends Error {
  constructor(readonly result: ReserveResult) {
    super(result.status);
  }
}

/** Prepares the product store's statements on an open database. */
export function openProductStore(db: Db): ProductStore {
  const columns = 'id, name, description, price, stock, version';
  const insert = db.prepare(
    `INSERT INTO products (name, description, price, stock, created_at, updated_at)
     VALUES (@name, @description, @price, @stock, @now, @now) RETURNING ${columns}`,
  );
  const byId = db.prepare(`SELECT ${columns} FROM products WHERE id = ?`);
  const page = db.prepare(`SELECT ${columns} FROM products WHERE id > ? ORDER BY id LIMIT ?`);
  const stocks = db.prepare('SELECT id, stock FROM products WHERE id IN (SELECT value FROM json_each(?))').raw();
  const stockOne = db.prepare('SELECT stock FROM products WHERE id = ?').pluck();
  const update = db.prepare(
    `UPDATE products SET name = coalesce(@name, name), description = coalesce(@description, description),
       price = coalesce(@price, price), version = version + 1, updated_at = @now
     WHERE id = @id AND version = @version RETURNING ${columns}`,
  );
  const exists = db.prepare('SELECT 1 FROM products WHERE id = ?').pluck();
  const remove = db.prepare('DELETE FROM products WHERE id = ?');
  const reservation = db.prepare('SELECT status FROM reservations WHERE id = ?').pluck();
  const reservationItems = db.prepare(
    'SELECT product_id AS productId, quantity, unit_price AS unitPrice FROM reservation_items WHERE reservation_id = ? ORDER BY product_id',
  );
  const stockOf = db.prepare('SELECT price, stock FROM products WHERE id = ?');
  const take = db.prepare('UPDATE products SET stock = stock - @quantity WHERE id = @productId AND stock >= @quantity');
  const giveBack = db.prepare('UPDATE products SET stock = stock + ? WHERE id = ?');
  const insertReservation = db.prepare("INSERT INTO reservations (id, status, created_at) VALUES (?, 'held', ?)");
  const insertTombstone = db.prepare("INSERT INTO reservations (id, status, created_at, released_at) VALUES (?, 'released', ?, ?)");
  const insertItem = db.prepare('INSERT INTO reservation_items (reservation_id, product_id, quantity, unit_price) VALUES (?, ?, ?, ?)');
  const markReleased = db.prepare("UPDATE reservations SET status = 'released', released_at = ? WHERE id = ?");
  const addSold = db.prepare('UPDATE products SET sold = sold + ? WHERE id = ?');
  const soldOf = db.prepare('SELECT sold FROM products WHERE id = ?').pluck();

  const reserve = db.transaction((id: string, items: ReadonlyArray<{ productId: number; quantity: number }>): ReserveResult => {
    const status = reservation.get(id) as string | undefined;
    if (status === 'released') return { status: 'released' };
    if (status === 'held') return { status: 'reserved', items: reservationItems.all(id) as ReservedItem[], replayed: true };
    const merged = new Map<number, number>();
    for (const { productId, quantity } of items) merged.set(productId, (merged.get(productId) ?? 0) + quantity);
    const now = new Date().toISOString();
    insertReservation.run(id, now);
    const reserved: ReservedItem[] = [];
    for (const [productId, quantity] of [...merged].sort((a, b) => a[0] - b[0])) {
      const row = stockOf.get(productId) as { price: number; stock: number } | undefined;
      if (!row) throw new Rollback({ status: 'product_not_found', productId });
      if (take.run({ productId, quantity }).changes !== 1) {
        throw new Rollback({ status: 'insufficient_stock', productId, requested: quantity, available: row.stock });
      }
      insertItem.run(id, productId, quantity, row.price);
      reserved.push({ productId, quantity, unitPrice: row.price });
    }
    return { status: 'reserved', items: reserved, replayed: false };
  });

  const release = db.transaction((id: string): number[] => {
    const status = reservation.get(id) as string | undefined;
    const now = new Date().toISOString();
    if (status === undefined) {
      insertTombstone.run(id, now, now);
      return [];
    }
    if (status === 'released') return [];
    const items = reservationItems.all(id) as ReservedItem[];
    for (const item of items) giveBack.run(item.quantity, item.productId);
    markReleased.run(now, id);
    return items.map((i) => i.productId);
  });

  return {
    create: (input) => insert.get({ ...input, now: new Date().toISOString() }) as Product,
    get: (id) => byId.get(id) as Product | undefined,
    list: ({ afterId, limit }) => page.all(afterId, limit) as Product[],
    stockOf: (id) => stockOne.get(id) as number | undefined,
    stocks: (ids) => new Map(stocks.all(JSON.stringify(ids)) as Array<[number, number]>),
    update(id, version, patch) {
      const row = update.get({
        id,
        version,
        name: patch.name ?? null,
        description: patch.description ?? null,
        price: patch.price ?? null,
        now: new Date().toISOString(),
      }) as Product | undefined;
      if (row) return row;
      return exists.get(id) === undefined ? undefined : 'conflict';
    },
    delete: (id) => remove.run(id).changes === 1,
    reserve(reservationId, items) {
      try {
        return reserve.immediate(reservationId, items);
      } catch (err) {
        if (err instanceof Rollback) return err.result;
        throw err;
      }
    },
    release: (reservationId) => release.immediate(reservationId),
    recordSales(items) {
      for (const { productId, quantity } of items) addSold.run(quantity, productId);
    },
    soldOf: (id) => soldOf.get(id) as number | undefined,
  };
}

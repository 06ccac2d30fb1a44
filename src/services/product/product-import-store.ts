import type { Db } from '../shared/open-database.js';
import type { OutboxStore } from '../shared/outbox-store.js';
import type { ImportRow } from './parse-product-rows.js';

/** The ids one apply gave its rows (consecutive). */
export interface ImportedIds {
  firstId: number;
  lastId: number;
}

/** One import being staged: rows go into a private temporary table first, and into `products` only when applied. */
export interface ImportStage {
  /** Stages rows (a TEMP table of this connection: takes no lock on product.db). */
  add(rows: readonly ImportRow[]): void;
  readonly staged: number;
  /**
   * Moves the staged rows with stage sequence in (from, to] into `products` in one transaction (the FTS triggers index
   * them); with `eventOf`, the same transaction appends the event it builds from those ids. Returns the ids given.
   */
  apply(from: number, to: number, eventOf?: (ids: ImportedIds | undefined) => unknown): ImportedIds | undefined;
  /** Drops the staging table; idempotent. */
  drop(): void;
}

/** The product service's bulk path (`ecom import products`, `ecom seed`); all its SQL lives here. */
export interface ProductImportStore {
  stage(): ImportStage;
}

/** Prepares the bulk path on product.db; the import's one event goes through `outbox`. */
export function openProductImportStore(db: Db, outbox: OutboxStore): ProductImportStore {
  let next = 0;
  return {
    stage() {
      const table = `temp.product_import_${process.pid}_${++next}`;
      db.exec(`CREATE TABLE ${table} (seq INTEGER PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL, price INTEGER NOT NULL, stock INTEGER NOT NULL)`);
      const insert = db.prepare(`INSERT INTO ${table} (name, description, price, stock) VALUES (?, ?, ?, ?)`);
      const move = db.prepare(
        `INSERT INTO products (name, description, price, stock, created_at, updated_at)
         SELECT name, description, price, stock, @now, @now FROM ${table} WHERE seq > @from AND seq <= @to ORDER BY seq`,
      );
      let staged = 0;
      let dropped = false;
      const add = db.transaction((rows: readonly ImportRow[]) => {
        for (const r of rows) insert.run(r.name, r.description, r.price, r.stock);
        staged += rows.length;
      });
      const apply = db.transaction((from: number, to: number, eventOf?: (ids: ImportedIds | undefined) => unknown) => {
        const { changes, lastInsertRowid } = move.run({ from, to, now: new Date().toISOString() });
        // One statement under the write lock: AUTOINCREMENT gives its rows consecutive ids.
        const ids = changes === 0 ? undefined : { firstId: Number(lastInsertRowid) - changes + 1, lastId: Number(lastInsertRowid) };
        if (eventOf) outbox.append('PRODUCTS_IMPORTED', eventOf(ids));
        return ids;
      });
      return {
        add: (rows) => add(rows),
        get staged() {
          return staged;
        },
        apply: (from, to, eventOf) => apply.immediate(from, to, eventOf),
        drop() {
          if (dropped) return;
          dropped = true;
          db.exec(`DROP TABLE IF EXISTS ${table}`);
        },
      };
    },
  };
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/services/shared/open-database.js';
import { openOutboxStore } from '../../../src/services/shared/outbox-store.js';
import { openProductImportStore } from '../../../src/services/product/product-import-store.js';
import { RANKED_MATCHES, openProductSearchStore } from '../../../src/services/product/product-search-store.js';
import { PRODUCT_MIGRATIONS, openProductStore } from '../../../src/services/product/product-store.js';

describe('catalogue search (FTS5)', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-search-'));
  });
  afterEach(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const open = (): {
    store: ReturnType<typeof openProductStore>;
    search: ReturnType<typeof openProductSearchStore>;
    names: (q: string, offset?: number, limit?: number) => string[];
  } => {
    db = openDatabase(join(dir, 'product.db'), PRODUCT_MIGRATIONS);
    const store = openProductStore(db);
    const search = openProductSearchStore(db);
    return { store, search, names: (q, offset = 0, limit = 100) => search.search({ q, offset, limit }).items.map((p) => p.name) };
  };
  // Enough that a deep page is past what a scan may read (its bound), so it goes through the index.
  const COMMON_ROWS = 45_000;
  // Every name contains "common" as a substring, but only at a word start in every third: the others must not match.
  const commonName = (i: number): string => (i % 3 === 0 ? `Common Café ${i}` : i % 3 === 1 ? `Uncommon café ${i}` : `Common-cafés ${i}`);
  /** Imports COMMON_ROWS products named by commonName (1..COMMON_ROWS) through the bulk path. */
  const importCommon = (): void => {
    const stage = openProductImportStore(db, openOutboxStore(db)).stage();
    stage.add(Array.from({ length: COMMON_ROWS }, (_, i) => ({ name: commonName(i + 1), description: '', price: 1, stock: 1 })));
    stage.apply(0, stage.staged);
    stage.drop();
  };
  const add = (store: ReturnType<typeof openProductStore>, name: string, description = ''): number =>
    store.create({ name, description, price: 100, stock: 10 }).id;

  it('finds word prefixes and several words as a phrase, case-insensitively', () => {
    const { store, names } = open();
    add(store, 'Blue Kettle', 'boils water fast');
    add(store, 'Kettle Blue', 'the other way round');
    add(store, 'Teapot', 'pairs with a kettle');
    expect(names('kett')).toEqual(['Blue Kettle', 'Kettle Blue', 'Teapot']);
    expect(names('BLUE KETT')).toEqual(['Blue Kettle']);
    expect(names('boils wat')).toEqual(['Blue Kettle']);
    expect(names('ettle')).toEqual([]);
    expect(names('kettle teapot')).toEqual([]);
  });

  it('ranks by bm25, a match in the name above one in the description, then by id', () => {
    const { store, names } = open();
    add(store, 'Desk', 'a lamp stand would suit it');
    add(store, 'Floor lamp with a long flexible neck and a heavy base');
    add(store, 'Lamp');
    add(store, 'Lamp');
    expect(names('lamp')).toEqual(['Lamp', 'Lamp', 'Floor lamp with a long flexible neck and a heavy base', 'Desk']);
    expect(names('lamp', 1, 2)).toEqual(['Lamp', 'Floor lamp with a long flexible neck and a heavy base']);
  });

  it('stays in step with edits and deletes, and ignores stock movements', () => {
    const { store, names } = open();
    const id = add(store, 'Red chair', 'wooden');
    const other = add(store, 'Red table', 'wooden');
    expect(store.update(id, 1, { name: 'Green chair' })).toMatchObject({ name: 'Green chair' });
    expect(names('red')).toEqual(['Red table']);
    expect(names('green')).toEqual(['Green chair']);
    store.update(id, 2, { description: 'metal' });
    expect(names('wooden')).toEqual(['Red table']);
    expect(names('metal')).toEqual(['Green chair']);
    expect(store.reserve('reservation-1', [{ productId: id, quantity: 3 }]).status).toBe('reserved');
    expect(names('green chair')).toEqual(['Green chair']);
    expect(store.delete(other)).toBe(true);
    expect(names('red')).toEqual([]);
    expect(names('wooden')).toEqual([]);
  });

  it('lists a query matching more than RANKED_MATCHES products in id order, pages included', () => {
    const { names } = open();
    const stage = openProductImportStore(db, openOutboxStore(db)).stage();
    stage.add(Array.from({ length: RANKED_MATCHES + 50 }, (_, i) => ({ name: `Common thing ${i + 1}`, description: '', price: 1, stock: 1 })));
    stage.apply(0, stage.staged);
    stage.drop();
    expect(names('common', 0, 3)).toEqual(['Common thing 1', 'Common thing 2', 'Common thing 3']);
    expect(names('common thing', RANKED_MATCHES, 2)).toEqual([`Common thing ${RANKED_MATCHES + 1}`, `Common thing ${RANKED_MATCHES + 2}`]);
    expect(names('common thing 205')).toEqual(['Common thing 205', 'Common thing 2050']);
  });

  it('pages a very common query the same whether read through the index or by scanning in id order', () => {
    const { names } = open();
    importCommon();
    const ROWS = COMMON_ROWS;
    const expected = (q: RegExp, offset: number, limit: number): string[] =>
      Array.from({ length: ROWS }, (_, i) => commonName(i + 1))
        .filter((n) => q.test(n))
        .slice(offset, offset + limit);
    // A shallow page is scanned, a deep one found through the index: both are the index's answer.
    for (const [offset, limit] of [
      [0, 5],
      [7, 3],
      [ROWS / 3 - 10, 5],
      [(2 * ROWS) / 3 - 10, 5],
    ] as const) {
      expect(names('common', offset, limit)).toEqual(expected(/^Common/, offset, limit));
      // The words must also appear as typed (here with a space), as the index path requires.
      expect(names('common caf', offset, limit)).toEqual(expected(/^Common caf/i, offset, limit));
    }
    expect(names('ommon', 0, 5)).toEqual([]);
  });

  it('pages an id-ordered search by the last id seen, giving the pages paging by offset gives, at any depth', () => {
    const { search } = open();
    importCommon();
    const ROWS = COMMON_ROWS;
    // Scanned (shallow), found through the index (deep), and a ranked query's next page asked for by id.
    for (const [q, offset, limit] of [
      ['common', 0, 5],
      ['common caf', 7, 3],
      ['common', (2 * ROWS) / 3 - 10, 5],
      ['common café 300', 0, 4],
    ] as const) {
      const first = search.search({ q, offset, limit });
      expect(first.items).toHaveLength(limit);
      const byOffset = search.search({ q, offset: offset + limit, limit });
      const byId = search.search({ q, afterId: first.items.at(-1)!.id, limit });
      expect(byId.idOrder).toBe(true);
      if (byOffset.idOrder) expect(byId.items.map((p) => p.name)).toEqual(byOffset.items.map((p) => p.name));
      else expect(byId.items.map((p) => p.id)).toEqual(byId.items.map((p) => p.id).sort((a, b) => a - b));
      expect(byId.items.every((p) => p.id > first.items.at(-1)!.id)).toBe(true);
    }
    expect(search.search({ q: 'common', offset: 0, limit: 5 }).idOrder).toBe(true);
    expect(search.search({ q: 'common café 3000', offset: 0, limit: 5 }).idOrder).toBe(false);
  });

  it('indexes the rows of a product.db from before the index (its migration)', () => {
    const file = join(dir, 'product.db');
    const old = new Database(file);
    old.exec(PRODUCT_MIGRATIONS[0]!);
    old.exec(PRODUCT_MIGRATIONS[1]!);
    old.pragma('user_version = 2');
    old.prepare("INSERT INTO products (name, description, price, stock, created_at, updated_at) VALUES ('Old lantern', 'brass', 1, 1, '', '')").run();
    old.close();
    const { store, names } = open();
    expect(names('lantern')).toEqual(['Old lantern']);
    add(store, 'New lantern', 'brass');
    expect(names('lant')).toEqual(['Old lantern', 'New lantern']);
  });
});

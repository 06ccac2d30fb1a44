import type { Db } from '../shared/open-database.js';
import type { Product } from './product-store.js';

/** A search matching more products than this lists them in id order instead of by rank (see `searchProducts`). */
export const RANKED_MATCHES = 2_000;
/** How long whether a query is that common is remembered, and for how many queries at most. */
const COMMONNESS_TTL_MS = 60_000;
const COMMONNESS_KEPT = 10_000;

/** Catalogue search; all its SQL lives here (the FTS5 index and its triggers come from PRODUCT_MIGRATIONS). */
export interface ProductSearchStore {
  /**
   * Products whose name or description contains `q` (case-insensitively) where its words start words of the text:
   * found through the FTS5 index (the words as a phrase, the last one a prefix), best bm25 first (a match in the
   * name weighs 10× one in the description), then by id — in id order when more than RANKED_MATCHES match; `offset`
   * skips that many. A `q` with no letter or digit (`%`, `_`) scans instead.
   */
  search(options: { q: string; offset: number; limit: number }): Product[];
}

/** Prepares the search statements on product.db. */
export function openProductSearchStore(db: Db): ProductSearchStore {
  const columns = 'p.id, p.name, p.description, p.price, p.stock, p.version';
  const literal = `(p.name LIKE @pattern ESCAPE '\\' OR p.description LIKE @pattern ESCAPE '\\')`;
  const scan = db.prepare(`SELECT ${columns} FROM products p WHERE ${literal} ORDER BY p.id LIMIT @limit OFFSET @offset`);
  const matched = `SELECT ${columns} FROM products_fts JOIN products p ON p.id = products_fts.rowid WHERE products_fts MATCH @match AND ${literal}`;
  const ranked = db.prepare(`${matched} ORDER BY bm25(products_fts, 10.0, 1.0), p.id LIMIT @limit OFFSET @offset`);
  // In the FTS index's own rowid order: read lazily up to the page, no sort.
  const byId = db.prepare(`${matched} ORDER BY products_fts.rowid LIMIT @limit OFFSET @offset`);
  const beyond = db.prepare('SELECT 1 FROM products_fts WHERE products_fts MATCH ? LIMIT 1 OFFSET ?').pluck();
  // Whether a query matches more than RANKED_MATCHES products costs as much as reading its matches (a word prefix is
  // merged in full), so it is remembered for a while: a repeated query, or its next page, skips that read.
  const known = new Map<string, { common: boolean; at: number }>();
  const commonness = (match: string): boolean => {
    const now = Date.now();
    const seen = known.get(match);
    if (seen && now - seen.at < COMMONNESS_TTL_MS) return seen.common;
    if (known.size >= COMMONNESS_KEPT) known.clear();
    const common = beyond.get(match, RANKED_MATCHES) !== undefined;
    known.set(match, { common, at: now });
    return common;
  };
  return {
    search({ q, offset, limit }) {
      const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const words = q.toLowerCase().match(/[\p{L}\p{N}]+/gu);
      if (!words) return scan.all({ pattern, limit, offset }) as Product[];
      const match = `"${words.join(' ')}" *`;
      // Ranking sorts every match, so it is kept to queries matching at most RANKED_MATCHES products: a word that
      // common ranks them nearly alike anyway, and listing in id order costs only the page read.
      const common = commonness(match);
      return (common ? byId : ranked).all({ match, pattern, limit, offset }) as Product[];
    },
  };
}

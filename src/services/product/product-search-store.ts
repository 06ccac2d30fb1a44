import type { Db } from '../shared/open-database.js';
import type { Product } from './product-store.js';
import { matchesPhrasePrefix, tokensOf } from './match-phrase-prefix.js';

/** A search matching more products than this lists them in id order instead of by rank (see `searchProducts`). */
export const RANKED_MATCHES = 2_000;
/** How long whether a query is that common is remembered, and for how many queries at most. */
const COMMONNESS_TTL_MS = 60_000;
const COMMONNESS_KEPT = 10_000;
/** A common query is scanned in id order when at least this share of products matches and a page needs at most SCAN_ROWS rows. */
const SCAN_SHARE = 0.05;
const SCAN_ROWS = 20_000;
/** How many of the first products the share is estimated from. */
const DENSITY_SAMPLE = 2_000;

/** Catalogue search; all its SQL lives here (the FTS5 index and its triggers come from PRODUCT_MIGRATIONS). */
export interface ProductSearchStore {
  /**
   * Products whose name or description contains `q` (case-insensitively) where its words start words of the text:
   * found through the FTS5 index (the words as a phrase, the last one a prefix), best bm25 first (a match in the
   * name weighs 10× one in the description), then by id — in id order when more than RANKED_MATCHES match; `offset`
   * skips that many; with `afterId`, the results after that id in id order instead (the next page of an id-ordered
   * search). A `q` with no letter or digit (`%`, `_`) scans instead.
   */
  search(options: { q: string; limit: number; offset?: number; afterId?: number }): SearchPage;
}

/**
 * A page of search results, and whether they are in id order (a common query, a scan, or `afterId` given): then the
 * next page is asked for by the last id seen (keyset: a page costs the same at any depth), else by `offset`.
 */
export interface SearchPage {
  items: Product[];
  idOrder: boolean;
}

/** Prepares the search statements on product.db. */
export function openProductSearchStore(db: Db): ProductSearchStore {
  const columns = 'p.id, p.name, p.description, p.price, p.stock, p.version';
  const literal = `(p.name LIKE @pattern ESCAPE '\\' OR p.description LIKE @pattern ESCAPE '\\')`;
  // Id-ordered statements take `@after` (0 on a first page by offset): a deep page costs what the first one does.
  const scan = db.prepare(`SELECT ${columns} FROM products p WHERE ${literal} AND p.id > @after ORDER BY p.id LIMIT @limit OFFSET @offset`);
  const matched = `SELECT ${columns} FROM products_fts JOIN products p ON p.id = products_fts.rowid WHERE products_fts MATCH @match AND ${literal}`;
  const ranked = db.prepare(`${matched} ORDER BY bm25(products_fts, 10.0, 1.0), p.id LIMIT @limit OFFSET @offset`);
  // In the FTS index's own rowid order: read lazily up to the page, no sort.
  const byId = db.prepare(`${matched} AND products_fts.rowid > @after ORDER BY products_fts.rowid LIMIT @limit OFFSET @offset`);
  const beyond = db.prepare('SELECT 1 FROM products_fts WHERE products_fts MATCH ? LIMIT 1 OFFSET ?').pluck();
  // A very common query is listed by reading products in id order through the index's own filter (`matchesPhrasePrefix`):
  // a page costs the rows up to it, where the index would first merge every match of the word prefix.
  let wordsOf = { key: '', words: [] as string[] };
  db.function('ecom_phrase_prefix', { deterministic: true }, (text: unknown, key: unknown) => {
    if (key !== wordsOf.key) wordsOf = { key: String(key), words: String(key).split(' ') };
    return matchesPhrasePrefix(String(text), wordsOf.words) ? 1 : 0;
  });
  const scanned = db.prepare(
    `SELECT ${columns} FROM products p WHERE ${literal}
       AND (ecom_phrase_prefix(p.name, @key) OR ecom_phrase_prefix(p.description, @key)) AND p.id > @after AND p.id <= @upto
     ORDER BY p.id LIMIT @limit OFFSET @offset`,
  );
  // Two subqueries: each is one step down the rowid b-tree (one min() and max() together would scan the table).
  const idRange = db.prepare('SELECT (SELECT min(id) FROM products) AS first, (SELECT max(id) FROM products) AS last');
  // The share of the first products the literal matches: how many rows a scan reads per result.
  const density = db.prepare(`SELECT count(*) FROM (SELECT name, description FROM products ORDER BY id LIMIT ${DENSITY_SAMPLE}) p WHERE ${literal}`).pluck();
  // Whether a query matches more than RANKED_MATCHES products costs as much as reading its matches (a word prefix is
  // merged in full), so it is remembered for a while: a repeated query, or its next page, skips that read.
  const known = new Map<string, { common: boolean; share: number; at: number }>();
  const commonness = (match: string, pattern: string): { common: boolean; share: number } => {
    const now = Date.now();
    const seen = known.get(match);
    if (seen && now - seen.at < COMMONNESS_TTL_MS) return seen;
    if (known.size >= COMMONNESS_KEPT) known.clear();
    const common = beyond.get(match, RANKED_MATCHES) !== undefined;
    const entry = { common, share: common ? (density.get({ pattern }) as number) / DENSITY_SAMPLE : 0, at: now };
    known.set(match, entry);
    return entry;
  };
  return {
    search({ q, limit, ...at }) {
      const after = at.afterId ?? 0;
      const offset = at.afterId === undefined ? (at.offset ?? 0) : 0;
      const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const words = q.toLowerCase().match(/[\p{L}\p{N}]+/gu);
      const inIdOrder = (items: unknown[]): SearchPage => ({ items: items as Product[], idOrder: true });
      if (!words) return inIdOrder(scan.all({ pattern, limit, offset, after }));
      const match = `"${words.join(' ')}" *`;
      // Ranking sorts every match, so it is kept to queries matching at most RANKED_MATCHES products: a word that
      // common ranks them nearly alike anyway, and listing in id order costs only the page read.
      const { common, share } = commonness(match, pattern);
      if (common && share >= SCAN_SHARE && (offset + limit) / share <= SCAN_ROWS) {
        // Bounded: when the matches thin out past the sample, the page is found through the index after all.
        const { first, last } = idRange.get() as { first: number | null; last: number | null };
        const upto = Math.max(after, first ?? 0) + 2 * SCAN_ROWS;
        const page = scanned.all({ key: tokensOf(words.join(' ')).join(' '), pattern, limit, offset, after, upto });
        if (page.length === limit || upto >= (last ?? 0)) return inIdOrder(page);
      }
      // A next page asked for by id stays in id order, even if the query is no longer that common.
      if (common || at.afterId !== undefined) return inIdOrder(byId.all({ match, pattern, limit, offset, after }));
      return { items: ranked.all({ match, pattern, limit, offset }) as Product[], idOrder: false };
    },
  };
}

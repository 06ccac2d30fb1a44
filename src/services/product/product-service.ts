import { Router, type Request } from 'express';
import { z } from 'zod';
import type { CacheTarget } from '../shared/create-cache.js';
import { httpError, notFound } from '../../kit/http-error.js';
import type { ServiceDefinition } from '../shared/service-definition.js';
import { validateInput } from '../../kit/validate-input.js';
import { PRODUCT_MIGRATIONS, openProductStore, type Product } from './product-store.js';
import { STRICT_ROUTING } from '../../kit/create-service-app.js';
import { groupCommit } from '../shared/group-commit.js';
import { retryWhileBusy } from '../shared/retry-while-busy.js';
import { importRoute } from './import-route.js';
import { openProductImportStore } from './product-import-store.js';
import { openProductSearchStore } from './product-search-store.js';
import { reservationRoutes } from './reservation-routes.js';
import { sendJson } from '../shared/send-json.js';
import { productSender } from './send-product.js';

const MAX_MONEY = 1_000_000_000;
const cents = z.number().int('expected integer cents').min(0).max(MAX_MONEY);
const createBody = z.object({
  name: z.string().trim().min(1, 'expected a non-empty name').max(200),
  description: z.string().max(5000).default(''),
  price: cents,
  stock: z.number().int('expected an integer').min(0).max(MAX_MONEY),
});
const patchBody = z
  .object({
    name: z.string().trim().min(1, 'expected a non-empty name').max(200).optional(),
    description: z.string().max(5000).optional(),
    price: cents.optional(),
    version: z.number().int().positive().optional(),
  })
  .strict();
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,24}$/, 'expected a cursor from a previous page')
    .optional(),
  q: z.string().max(200).optional(),
});
const idParam = z.coerce.number().int().positive();

/** A page of the listing or of a search, as cached. */
interface ProductPage {
  items: Product[];
  nextCursor: string | null;
}

/**
 * A page cursor: `n` is the last id seen for a listing and the results seen for a ranked search; `i<n>` is the last
 * id seen for a search in id order (keyset, as a listing's).
 */
interface Cursor {
  n: number;
  afterId: boolean;
}
const encodeCursor = (n: number, afterId = false): string => Buffer.from(`${afterId ? 'i' : ''}${n}`).toString('base64url');
function decodeCursor(cursor: string | undefined): Cursor {
  if (cursor === undefined) return { n: 0, afterId: false };
  const text = Buffer.from(cursor, 'base64url').toString();
  const afterId = text.startsWith('i');
  const n = Number(afterId ? text.slice(1) : text);
  if (text === '' || text === 'i' || !Number.isSafeInteger(n) || n < 0) {
    throw httpError(400, 'validation_failed', 'invalid query: cursor: expected a cursor from a previous page');
  }
  return { n, afterId };
}

function requestedVersion(req: Request, bodyVersion: number | undefined): number {
  const header = req.headers['if-match'];
  if (header !== undefined) {
    const match = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(header);
    if (!match) throw httpError(400, 'validation_failed', 'If-Match: expected the product version, like "3"');
    return Number(match[1]);
  }
  if (bodyVersion === undefined) {
    throw httpError(428, 'version_required', 'send the version you edit (If-Match header or body "version")');
  }
  return bodyVersion;
}

const productTargets = (ids: readonly number[]): CacheTarget[] => [...ids.map((id) => ({ ns: 'product', key: String(id) })), { ns: 'product-list' }];

/** The product service: catalogue, cursor listing and search, optimistic edits, and stock reservations for orders. */
export const productService: ServiceDefinition = {
  kind: 'product',
  migrations: PRODUCT_MIGRATIONS,
  create({ db, cache, auth, log, outbox, metrics }) {
    const store = openProductStore(db);
    // Concurrent reservations share SQLite commits (each stays isolated in a savepoint of its own).
    const write = groupCommit(db);
    const catalogue = openProductSearchStore(db);
    const pathId = (req: Request): number => validateInput(idParam, req.params.id, 'id');
    // A cached page with each item's stock as it is now (one query): a reservation then invalidates no page.
    const withCurrentStock = (page: ProductPage): ProductPage => {
      if (page.items.length === 0) return page;
      const stock = store.stocks(page.items.map((p) => p.id));
      const items = page.items.map((p) => ((stock.get(p.id) ?? p.stock) === p.stock ? p : { ...p, stock: stock.get(p.id)! }));
      return { ...page, items };
    };
    const sendProduct = productSender();

    const routes = Router(STRICT_ROUTING);
    routes.use(importRoute({ imports: openProductImportStore(db, outbox), cache, auth, log }));
    routes.get('/api/products', async (req, res) => {
      const query = validateInput(listQuery, req.query, 'query');
      const cursor = decodeCursor(query.cursor);
      const key = `${query.limit}:${cursor.afterId ? 'i' : ''}${cursor.n}:${query.q ?? ''}`;
      // A listing's cursor is the last id seen (keyset); so is a search's in id order, a ranked one's the results seen.
      const body = await cache.read<ProductPage>('product-list', key, () => {
        const limit = query.limit + 1;
        const found = query.q
          ? catalogue.search({ q: query.q, limit, ...(cursor.afterId ? { afterId: cursor.n } : { offset: cursor.n }) })
          : { items: store.list({ afterId: cursor.n, limit }), idOrder: true };
        const more = found.items.length > query.limit;
        const items = more ? found.items.slice(0, query.limit) : found.items;
        if (!more) return { items, nextCursor: null };
        if (!query.q) return { items, nextCursor: encodeCursor(items.at(-1)!.id) };
        return { items, nextCursor: found.idOrder ? encodeCursor(items.at(-1)!.id, true) : encodeCursor(cursor.n + query.limit) };
      });
      sendJson(res, 200, withCurrentStock(body!));
    });
    routes.get('/api/products/:id', async (req, res) => {
      const id = pathId(req);
      const product = await cache.read('product', String(id), () => store.get(id));
      // Reservations invalidate no cached product: its stock is read now (one indexed read of the shared file).
      const stock = product && store.stockOf(id);
      if (!product || stock === undefined) throw notFound('product');
      sendProduct(res, product, 200, stock);
    });
    routes.post('/api/products', auth.admin, async (req, res) => {
      const input = validateInput(createBody, req.body);
      const product = await retryWhileBusy(() => store.create(input));
      await cache.invalidate([{ ns: 'product-list' }]);
      res.setHeader('Location', `/api/products/${product.id}`);
      sendProduct(res, product, 201);
    });
    routes.patch('/api/products/:id', auth.admin, async (req, res) => {
      const id = pathId(req);
      const { version, ...patch } = validateInput(patchBody, req.body);
      const expected = requestedVersion(req, version);
      const result = await retryWhileBusy(() => store.update(id, expected, patch));
      if (result === undefined) throw notFound('product');
      if (result === 'conflict') {
        throw httpError(409, 'version_conflict', 'the product changed since you read it; fetch it again and retry');
      }
      await cache.invalidate(productTargets([id]));
      sendProduct(res, result);
    });
    routes.delete('/api/products/:id', auth.admin, async (req, res) => {
      const id = pathId(req);
      if (!(await retryWhileBusy(() => store.delete(id)))) throw notFound('product');
      await cache.invalidate(productTargets([id]));
      res.status(204).end();
    });

    // Stock changes (reservations) invalidate nothing: every answer brings its stock up to date when it is read.
    routes.use(reservationRoutes({ store, write, auth, log, metrics }));
    return {
      routes,
      consumes: {
        handlers: {
          // `sold` is in no answer, so counting it invalidates nothing (nor does the stock a reservation took: read at each answer).
          ORDER_PLACED: (event) => store.recordSales((event.payload as { items: Array<{ productId: number; quantity: number }> }).items),
        },
      },
    };
  },
};

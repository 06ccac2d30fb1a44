import { Router } from 'express';
import { z } from 'zod';
import type { Authorizer } from '../../kit/authorize-requests.js';
import { STRICT_ROUTING } from '../../kit/create-service-app.js';
import { httpError } from '../../kit/http-error.js';
import type { Logger } from '../../kit/create-logger.js';
import { validateInput } from '../../kit/validate-input.js';
import type { Cache } from '../shared/create-cache.js';
import { importProducts } from './import-products.js';
import type { ProductImportStore } from './product-import-store.js';

const importQuery = z.object({
  format: z.enum(['csv', 'jsonl']),
  onError: z.enum(['skip', 'abort']).default('abort'),
});

/**
 * `POST /api/products/import?format=csv|jsonl&onError=skip|abort` (admin or cluster token): the body is the file,
 * streamed into the catalogue (import-products.ts); one import at a time per instance. Answers 200 with the summary,
 * or 422 `import_rejected` (the summary in `details`) when bad rows refused it and nothing was imported.
 */
export function importRoute(options: { imports: ProductImportStore; cache: Cache; auth: Authorizer; log: Logger }): Router {
  let running = false;
  const routes = Router(STRICT_ROUTING);
  routes.post('/api/products/import', options.auth.adminOrCluster, async (req, res) => {
    const query = validateInput(importQuery, req.query, 'query');
    if (running) throw httpError(409, 'import_in_progress', 'an import is already running on this instance');
    running = true;
    const stage = options.imports.stage();
    let summary;
    try {
      summary = await importProducts({ body: req, format: query.format, onError: query.onError, stage });
    } finally {
      stage.drop();
      running = false;
    }
    if (summary.imported > 0) await options.cache.invalidate([{ ns: 'product-list' }]);
    options.log.info('products imported', { imported: summary.imported, skipped: summary.skipped, refused: summary.refused, ms: summary.durationMs });
    if (summary.refused) {
      const first = summary.errors[0];
      throw httpError(422, 'import_rejected', `nothing imported: ${first ? `line ${first.line}: ${first.message}` : 'bad rows'}`, summary);
    }
    res.json({ import: summary });
  });
  return routes;
}

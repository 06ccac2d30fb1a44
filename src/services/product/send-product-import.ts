import type { Readable } from 'node:stream';
import { request } from 'undici';
import { EcomError } from '../../common/ecom-error.js';
import { httpUrl } from '../../common/http-url.js';
import type { ClusterConfig } from '../../config/cluster-schema.js';
import { ensureCredentials } from '../../config/ensure-credentials.js';
import { resolvePeersFromConfig } from '../shared/resolve-peers.js';
import type { ImportSummary, OnImportError } from './import-products.js';
import type { ImportFormat } from './parse-product-rows.js';

/** How long an import may take before the client gives up waiting for its answer. */
const IMPORT_TIMEOUT_MS = 30 * 60_000;

async function liveProductInstance(cluster: ClusterConfig): Promise<string> {
  for (const peer of resolvePeersFromConfig(cluster).list('product')) {
    const origin = httpUrl(peer.host, peer.port);
    try {
      const res = await request(`${origin}/health`, { headersTimeout: 2000, bodyTimeout: 2000 });
      await res.body.dump();
      if (res.statusCode === 200) return origin;
    } catch {
      // Try the next instance.
    }
  }
  throw new EcomError('product_unavailable', 'no product instance of the cluster answers', { hint: 'start the cluster with `ecom up -d`' });
}

/**
 * Streams an import file (or generated rows) straight to a product instance of the running cluster — not through
 * nginx, whose body limit is for API requests — with the cluster token, and returns the summary. A refused import
 * (bad rows with `abort`) resolves with `refused: true`; any other failure throws `import_failed`.
 */
export async function sendProductImport(options: {
  cluster: ClusterConfig;
  body: Readable;
  format: ImportFormat;
  onError: OnImportError;
}): Promise<ImportSummary> {
  const origin = await liveProductInstance(options.cluster);
  const { clusterToken } = ensureCredentials(options.cluster.stateDir);
  let res;
  try {
    res = await request(`${origin}/api/products/import?format=${options.format}&onError=${options.onError}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clusterToken}`, 'content-type': options.format === 'csv' ? 'text/csv' : 'application/x-ndjson' },
      body: options.body,
      headersTimeout: IMPORT_TIMEOUT_MS,
      bodyTimeout: IMPORT_TIMEOUT_MS,
    });
  } catch (cause) {
    throw new EcomError('import_failed', `the import did not complete: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
      hint: 'rows sent before the failure may be imported: check the catalogue before running it again',
    });
  }
  const body = (await res.body.json().catch(() => undefined)) as { import?: ImportSummary; error?: { code: string; message: string; details?: ImportSummary } };
  if (res.statusCode === 200 && body?.import) return body.import;
  if (res.statusCode === 422 && body?.error?.code === 'import_rejected' && body.error.details) return body.error.details;
  throw new EcomError('import_failed', `the product service answered ${res.statusCode}${body?.error ? `: ${body.error.message}` : ''}`);
}

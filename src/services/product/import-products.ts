import type { Readable } from 'node:stream';
import { setImmediate as yieldTurn } from 'node:timers/promises';
import { retryWhileBusy } from '../shared/retry-while-busy.js';
import { createLineParser, type ImportFormat, type ImportRow } from './parse-product-rows.js';
import type { ImportStage } from './product-import-store.js';

/** What to do with a bad row: leave it out and go on, or refuse the whole import. */
export type OnImportError = 'skip' | 'abort';

/** The outcome of one import (the answer of `POST /api/products/import`, docs/http-api.md). */
export interface ImportSummary {
  format: ImportFormat;
  onError: OnImportError;
  /** True when nothing was imported because of bad rows (`abort`) or an unreadable file (a bad CSV header). */
  refused: boolean;
  imported: number;
  skipped: number;
  firstId: number | null;
  lastId: number | null;
  /** The first bad rows, by line number (1-based, as an editor counts); `moreErrors` counts the rest. */
  errors: Array<{ line: number; message: string }>;
  moreErrors: number;
  durationMs: number;
}

const STAGE_ROWS = 5_000;
// Rows moved into `products` per transaction: each holds the write lock and this event loop only briefly (other
// writers and requests wait behind it, and a long stall under load can outlast health checks), at no cost in total time.
const APPLY_ROWS = 5_000;
const MAX_LISTED_ERRORS = 100;

/**
 * Imports a stream of CSV or JSON Lines into the catalogue in two steps: every line is parsed and validated as it
 * arrives and good rows are staged in a private temporary table (no lock on product.db); then, unless the import is
 * refused, the staged rows go into `products` in transactions of 20,000 (short write locks, other writers interleave,
 * the event loop gets a turn between them). The last transaction appends the one PRODUCTS_IMPORTED event. With
 * `abort`, one bad row refuses the whole import and nothing is applied; with `skip`, bad rows are left out. Either
 * way every bad row is reported with its line number.
 */
export async function importProducts(options: { body: Readable; format: ImportFormat; onError: OnImportError; stage: ImportStage }): Promise<ImportSummary> {
  const started = performance.now();
  const parse = createLineParser(options.format);
  const summary: ImportSummary = {
    format: options.format,
    onError: options.onError,
    refused: false,
    imported: 0,
    skipped: 0,
    firstId: null,
    lastId: null,
    errors: [],
    moreErrors: 0,
    durationMs: 0,
  };
  let rows: ImportRow[] = [];
  let line = 0;
  let rest = '';
  let unreadable = false;
  const take = (text: string): void => {
    line++;
    if (unreadable) return;
    const parsed = parse(text);
    if ('row' in parsed) {
      if (summary.refused) return;
      rows.push(parsed.row);
      if (rows.length >= STAGE_ROWS) {
        options.stage.add(rows);
        rows = [];
      }
    } else if ('error' in parsed) {
      summary.skipped++;
      if (summary.errors.length < MAX_LISTED_ERRORS) summary.errors.push({ line, message: parsed.error });
      else summary.moreErrors++;
      // Refused: the rest is still checked, so every bad row is reported at once (unless the file cannot be read on).
      if (parsed.fatal || options.onError === 'abort') summary.refused = true;
      if (parsed.fatal) unreadable = true;
    }
  };
  options.body.setEncoding('utf8');
  // The whole body is read even once refused, so the client's upload ends and it reads the answer.
  for await (const chunk of options.body as AsyncIterable<string>) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const text of lines) take(text);
  }
  if (rest !== '') take(rest);
  if (!summary.refused && rows.length > 0) options.stage.add(rows);
  if (summary.refused) {
    summary.durationMs = Math.round(performance.now() - started);
    return summary;
  }
  const total = options.stage.staged;
  for (let from = 0; from < total; from += APPLY_ROWS) {
    const to = Math.min(total, from + APPLY_ROWS);
    const eventOf =
      to === total
        ? (ids: { firstId: number; lastId: number } | undefined) => ({
            count: total,
            skipped: summary.skipped,
            firstId: summary.firstId ?? ids?.firstId ?? null,
            lastId: ids?.lastId ?? summary.lastId,
            at: new Date().toISOString(),
          })
        : undefined;
    const ids = await retryWhileBusy(() => options.stage.apply(from, to, eventOf));
    if (ids) {
      summary.firstId ??= ids.firstId;
      summary.lastId = ids.lastId;
      summary.imported += ids.lastId - ids.firstId + 1;
    }
    await yieldTurn();
  }
  summary.durationMs = Math.round(performance.now() - started);
  return summary;
}

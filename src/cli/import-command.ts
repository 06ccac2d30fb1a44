import { createReadStream, statSync } from 'node:fs';
import { Transform } from 'node:stream';
import type { Command } from 'commander';
import { EcomError, UsageError } from '../common/ecom-error.js';
import { formatOfFile, type ImportFormat } from '../services/product/parse-product-rows.js';
import type { ImportSummary, OnImportError } from '../services/product/import-products.js';
import { clusterFrom, withClusterFile } from './cluster-options.js';

/** A byte counter drawing `[#####.....] 45% 12.1/27.0 MB` on a terminal's stderr as the file is sent. */
function progressOf(total: number, draw: boolean): Transform {
  let sent = 0;
  let drawnAt = 0;
  const paint = (): void => {
    const share = total > 0 ? Math.min(1, sent / total) : 1;
    const bar = '#'.repeat(Math.round(share * 30)).padEnd(30, '.');
    process.stderr.write(`\r[${bar}] ${String(Math.round(share * 100)).padStart(3)}% ${(sent / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB`);
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent += chunk.length;
      if (draw && Date.now() - drawnAt > 100) {
        drawnAt = Date.now();
        paint();
      }
      done(null, chunk);
    },
    flush(done) {
      if (draw) {
        paint();
        process.stderr.write(' — applying\n');
      }
      done();
    },
  });
}

function describe(s: ImportSummary, file: string): string {
  const ids = s.firstId === null ? '' : ` (ids ${s.firstId}..${s.lastId})`;
  const head = s.refused
    ? `nothing imported from ${file}: ${s.skipped} bad row${s.skipped === 1 ? '' : 's'} (--on-error ${s.onError})`
    : `imported ${s.imported} products${ids} from ${file} in ${(s.durationMs / 1000).toFixed(1)} s; skipped ${s.skipped} bad row${s.skipped === 1 ? '' : 's'}`;
  const lines = s.errors.map((e) => `  line ${e.line}: ${e.message}`);
  if (s.moreErrors > 0) lines.push(`  ... and ${s.moreErrors} more`);
  return [head, ...lines].join('\n');
}

/** `ecom import products FILE [--on-error skip|abort] [--format csv|jsonl] [--json]`. */
export function registerImportCommand(program: Command): void {
  const cmd = program.command('import').description('bulk-load data into the running cluster');
  withClusterFile(cmd.command('products <file>'))
    .description('load products from CSV (header: name,description,price,stock) or JSON Lines into the catalogue')
    .option('--on-error <mode>', 'a bad row: skip it, or abort the whole import (nothing imported)', 'abort')
    .option('--format <format>', 'csv or jsonl (default: from the file name; .csv is CSV, anything else JSON Lines)')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, opts: { config: string; onError: string; format?: string; json?: boolean }) => {
      if (opts.onError !== 'skip' && opts.onError !== 'abort')
        throw new UsageError('invalid_option', `--on-error: expected skip or abort, got "${opts.onError}"`);
      if (opts.format !== undefined && opts.format !== 'csv' && opts.format !== 'jsonl') {
        throw new UsageError('invalid_option', `--format: expected csv or jsonl, got "${opts.format}"`);
      }
      const { cluster } = clusterFrom(opts);
      let size: number;
      try {
        size = statSync(file).size;
      } catch (cause) {
        throw new EcomError('import_failed', `cannot read ${file}`, { cause });
      }
      const format = (opts.format as ImportFormat | undefined) ?? formatOfFile(file);
      const body = createReadStream(file).pipe(progressOf(size, !opts.json && process.stderr.isTTY === true));
      // Loaded on use: registering the command costs every other command nothing.
      const { sendProductImport } = await import('../services/product/send-product-import.js');
      const summary = await sendProductImport({ cluster, body, format, onError: opts.onError as OnImportError });
      if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else process.stdout.write(`${describe(summary, file)}\n`);
      if (summary.refused) {
        throw new EcomError(
          'import_rejected',
          `the import was refused: ${summary.errors[0] ? `line ${summary.errors[0].line}: ${summary.errors[0].message}` : 'bad rows'}`,
        );
      }
    });
}

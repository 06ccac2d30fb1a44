import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { queryLoggerService, readProcessLogFiles, type LogFilter } from '../cluster/query-cluster-logs.js';
import { UsageError } from '../common/ecom-error.js';
import { describeLogLevels, isLogLevel, LOG_LEVELS } from '../common/log-levels.js';
import { parseDuration } from '../common/parse-duration.js';
import { paintWarning } from '../common/paint-text.js';
import type { StoredLogEntry } from '../services/logger/logger-store.js';
import { clusterFrom, withClusterFile } from './cluster-options.js';
import { parseIntegerOption } from './parse-options.js';

function formatEntry(e: StoredLogEntry): string {
  const { id: _id, ts, level, instance, msg, service: _s, ...fields } = e;
  const extra = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
  return `${ts} ${level.padEnd(5)} ${instance.padEnd(10)} ${msg}${extra}`;
}

/** `ecom logs [SERVICE] [-f] [--level L] [--since DUR] [--json]`. */
export function registerLogsCommand(program: Command): void {
  withClusterFile(program.command('logs'))
    .description("the cluster's logs from the logger service (each process's own log file when the logger is down)")
    .argument('[service]', 'only this service (product, user, order, logger, iscs...)')
    .option('-f, --follow', 'keep printing new entries')
    .option('--level <level>', `least severity: ${LOG_LEVELS.join(', ')}`)
    .option('--since <duration>', 'only entries newer than this (e.g. 30s, 5m, 2h) or an ISO time')
    .option('-n, --limit <n>', 'entries to show first', (v) => parseIntegerOption(v, '--limit', 1, 5000), 100)
    .option('--json', 'one JSON object per line')
    .action(async (service: string | undefined, opts: { config: string; follow?: boolean; level?: string; since?: string; limit: number; json?: boolean }) => {
      if (opts.level && !isLogLevel(opts.level)) {
        throw new UsageError('invalid_option', `--level: expected ${describeLogLevels()}, got "${opts.level}"`);
      }
      if (opts.since && Number.isNaN(Date.parse(opts.since))) parseDuration(opts.since, '--since');
      const { cluster } = clusterFrom(opts);
      const filter: LogFilter = { service, level: opts.level, since: opts.since, limit: opts.limit };
      const print = (e: StoredLogEntry): void => void process.stdout.write(`${opts.json ? JSON.stringify(e) : formatEntry(e)}\n`);
      let entries: StoredLogEntry[];
      try {
        entries = await queryLoggerService(cluster, filter);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        process.stderr.write(`${paintWarning(`ecom: logger unreachable (${reason}); showing per-process log files`)}\n`);
        for (const { process: name, line } of readProcessLogFiles(cluster, filter)) {
          process.stdout.write(opts.json ? `${JSON.stringify({ process: name, line })}\n` : `${name.padEnd(10)} ${line}\n`);
        }
        return;
      }
      entries.forEach(print);
      if (!opts.follow) return;
      let after = entries.at(-1)?.id ?? 0;
      for (;;) {
        await sleep(500);
        const next = await queryLoggerService(cluster, { ...filter, since: undefined, after, limit: 1000 }).catch(() => []);
        next.forEach(print);
        after = next.at(-1)?.id ?? after;
      }
    });
}

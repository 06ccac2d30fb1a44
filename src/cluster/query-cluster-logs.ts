import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readRegistry } from '../registry/read-registry.js';
import type { StoredLogEntry } from '../services/logger/logger-store.js';
import { registryUrlOf } from '../config/cluster-urls.js';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { ensureCredentials } from '../config/ensure-credentials.js';
import { readLogTail } from './read-log-tail.js';
import { stateLayout } from '../config/state-layout.js';
import { httpUrl } from '../common/http-url.js';
import { LOG_LEVELS } from '../common/log-levels.js';
import { isClusterPeerHost } from '../config/cluster-hosts.js';

/** Filters of `ecom logs`. */
export interface LogFilter {
  service?: string;
  level?: string;
  since?: string;
  after?: number;
  limit: number;
}

/** Asks a logger instance (found through the registry) for entries; throws when none answers. */
export async function queryLoggerService(cluster: ClusterConfig, filter: LogFilter): Promise<StoredLogEntry[]> {
  const { clusterToken } = ensureCredentials(cluster.stateDir);
  const listing = await readRegistry(registryUrlOf(cluster));
  // The cluster token goes only to our own hosts, whatever an (unauthenticated) listing names.
  const loggers = (listing.services.logger ?? []).filter((l) => isClusterPeerHost(cluster.host, l.host));
  const params = new URLSearchParams({ limit: String(filter.limit) });
  if (filter.service) params.set('service', filter.service);
  if (filter.level) params.set('level', filter.level);
  if (filter.since) params.set('since', filter.since);
  if (filter.after !== undefined) params.set('after', String(filter.after));
  let lastError: unknown = new Error('no logger instance is registered');
  for (const logger of loggers) {
    try {
      const res = await fetch(httpUrl(logger.host, logger.port, `/api/logs?${params}`), {
        headers: { authorization: `Bearer ${clusterToken}` },
        signal: AbortSignal.timeout(3000),
      });
      const body = (await res.json()) as { items?: StoredLogEntry[]; error?: { message: string } };
      if (res.status === 200 && body.items) return body.items;
      lastError = new Error(body.error?.message ?? `logger answered ${res.status}`);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

const LEVELS: readonly string[] = LOG_LEVELS;
const LEVEL_WORD = new RegExp(`\\b(${LOG_LEVELS.join('|')})\\b`);

/** The last lines of each process's own log file (when the logger is down), optionally for one service only. */
export function readProcessLogFiles(cluster: ClusterConfig, filter: LogFilter): Array<{ process: string; line: string }> {
  const dir = stateLayout(cluster.stateDir).logs;
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.log') && (!filter.service || f.startsWith(`${filter.service}`)));
  } catch {
    return [];
  }
  const min = filter.level ? LEVELS.indexOf(filter.level) : 0;
  return files.flatMap((file) =>
    readLogTail(join(dir, file), filter.limit)
      .filter((line) => {
        const level = LEVEL_WORD.exec(line)?.[1];
        return level === undefined ? min === 0 : LEVELS.indexOf(level) >= min;
      })
      .map((line) => ({ process: file.slice(0, -4), line })),
  );
}

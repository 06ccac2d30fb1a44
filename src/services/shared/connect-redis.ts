import { Redis } from 'ioredis';
import type { Logger } from '../../kit/create-logger.js';

/**
 * Connects to the cluster's redis-server for caching. Commands fail fast instead of queueing while Redis is away
 * (callers fall back to SQLite), time out after `commandTimeoutMs`, and the client reconnects on its own.
 * Connection changes are logged once per transition, not once per retry.
 */
export function connectRedis(options: { host: string; port: number; commandTimeoutMs: number; log: Logger }): Redis {
  const redis = new Redis({
    host: options.host,
    port: options.port,
    enableOfflineQueue: false,
    commandTimeout: options.commandTimeoutMs,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
  });
  let up = false;
  redis.on('ready', () => {
    if (!up) options.log.info('redis connected', { port: options.port });
    up = true;
  });
  redis.on('error', (err: Error) => {
    if (up) options.log.warn('redis unreachable, serving from SQLite', { error: err.message });
    up = false;
  });
  redis.on('end', () => {
    up = false;
  });
  return redis;
}

import { Redis } from 'ioredis';
import type { Logger } from '../../kit/create-logger.js';
import { backoffDelay } from '../../common/backoff-delay.js';

/**
 * How a client proves itself to the cluster's redis-server: `AUTH default <password>` (the two-argument form, which a
 * redis-server without a password — a test's, or one started by an earlier version — accepts too, where the one-argument
 * form would be an error and an ioredis warning on every connect).
 */
export function redisAuth(password: string): { username: string; password: string } {
  return { username: 'default', password };
}

/**
 * Connects to the cluster's redis-server for caching, with the cluster's redis password. Commands fail fast instead
 * of queueing while Redis is away (callers fall back to SQLite), time out after `commandTimeoutMs`, and the client
 * reconnects on its own. Connection changes are logged once per transition, not once per retry.
 */
export function connectRedis(options: { host: string; port: number; password: string; commandTimeoutMs: number; log: Logger }): Redis {
  const redis = new Redis({
    host: options.host,
    port: options.port,
    ...redisAuth(options.password),
    enableOfflineQueue: false,
    commandTimeout: options.commandTimeoutMs,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: (times) => backoffDelay(times, { baseMs: 50, maxMs: 1000 }),
    // No `CLIENT SETINFO` on connect: ioredis reads its package.json for it (loading fs/promises in every process, for a
    // file a single executable does not carry), and redis-server 7.0 answers it with an error.
    disableClientInfo: true,
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

/** Closes a client politely (QUIT, waited for at most half a second, so a Redis that is gone cannot hold up a stop), then for sure. */
export async function closeRedis(redis: Redis): Promise<void> {
  await Promise.race([redis.quit().catch(() => undefined), new Promise((r) => setTimeout(r, 500).unref())]);
  redis.disconnect();
}

import { join } from 'node:path';
import type { ClusterConfig } from '../../cluster/cluster-schema.js';
import { ensureCredentials } from '../../cluster/ensure-credentials.js';
import { authorizeRequests } from './authorize-requests.js';
import { openCacheDirtyStore } from './cache-dirty-store.js';
import { callPeers } from './call-peers.js';
import { connectRedis } from './connect-redis.js';
import { createCache } from './create-cache.js';
import { createLogger } from './create-logger.js';
import { createMetrics } from './create-metrics.js';
import { createServiceApp } from './create-service-app.js';
import { createTokenService } from './create-token-service.js';
import { openDatabase } from './open-database.js';
import { resolvePeersFromConfig, type PeerResolver } from './resolve-peers.js';
import type { ServiceDefinition, ServiceInstance } from './service-definition.js';
import { shipLogs, type SendBatch } from './ship-logs.js';
import { startHttpServer } from './start-http-server.js';
import { parseDuration } from '../../common/parse-duration.js';

/** A running service instance. */
export interface ServiceHandle {
  instanceId: string;
  port: number;
  /** Graceful stop: listener closed, in-flight requests finished, logs flushed, Redis and SQLite closed. Idempotent. */
  close(): Promise<void>;
}

/** Path of a service kind's SQLite file inside the state dir. */
export function databasePath(stateDir: string, kind: string): string {
  return join(stateDir, 'data', `${kind}.db`);
}

/** Starts one instance of a service kind on `port`, wired to the cluster's Redis, peers, logger and credentials. */
export async function startService(options: {
  definition: ServiceDefinition;
  id: number;
  port: number;
  cluster: ClusterConfig;
  resolver?: PeerResolver;
}): Promise<ServiceHandle> {
  const { definition, id, cluster } = options;
  const kind = definition.kind;
  const instanceId = `${kind}-${id}`;
  const credentials = ensureCredentials(cluster.stateDir);
  const db = openDatabase(databasePath(cluster.stateDir, kind), definition.migrations);
  const metrics = createMetrics({ service: kind, instance_id: instanceId });
  const resolver = options.resolver ?? resolvePeersFromConfig(cluster);
  const peers = callPeers({ resolver, clusterToken: credentials.clusterToken, timeoutMs: cluster.http.peerTimeoutMs });

  let sendLogs: SendBatch = async (batch) => {
    const res = await peers.call('logger', { method: 'POST', path: '/api/logs', body: batch, idempotent: true });
    if (res.status !== 202) throw new Error(`logger answered ${res.status}`);
  };
  const dropped = metrics.counter('ecom_log_entries_overflowed_total', 'Log entries written to stderr because the ship buffer was full.');
  const shipper = shipLogs({
    send: (batch) => sendLogs(batch),
    maxEntries: cluster.logs.bufferEntries,
    flushMs: cluster.logs.flushMs,
    onDrop: (n) => dropped.inc(n),
  });
  const log = createLogger({ service: kind, instance: instanceId, level: cluster.logs.level, sink: (e) => shipper.push(e) });

  const redis = connectRedis({ host: cluster.host, port: cluster.redis.port, commandTimeoutMs: cluster.cache.commandTimeoutMs, log });
  const cacheOutcomes = metrics.counter('ecom_cache_requests_total', 'Cache lookups by outcome.', ['outcome']);
  const cache = createCache({
    redis,
    dirty: openCacheDirtyStore(db),
    ttlMs: parseDuration(cluster.cache.ttl, 'cache.ttl'),
    onOutcome: (outcome) => cacheOutcomes.inc({ outcome }),
  });
  const tokens = createTokenService(credentials.jwtSecret);
  const auth = authorizeRequests(tokens, credentials.clusterToken);
  const startedAt = Date.now();

  let instance: ServiceInstance | undefined;
  const teardown = async (): Promise<void> => {
    await instance?.close?.();
    cache.close();
    resolver.close();
    await Promise.race([redis.quit().catch(() => undefined), new Promise((r) => setTimeout(r, 500).unref())]);
    redis.disconnect();
    await shipper.close();
    db.close();
  };

  try {
    instance = await definition.create({ kind, id, instanceId, cluster, credentials, db, log, metrics, cache, peers, tokens, auth });
    if (instance.sendLogs) sendLogs = instance.sendLogs;
    const app = createServiceApp({
      instanceId,
      bodyLimitBytes: instance.bodyLimitBytes ?? cluster.http.bodyLimitBytes,
      metrics,
      log,
      routes: instance.routes,
      health: () => ({ service: kind, id, redis: redis.status === 'ready' ? 'up' : 'down', uptimeMs: Date.now() - startedAt }),
    });
    const server = await startHttpServer(app, { host: cluster.host, port: options.port, graceMs: cluster.http.shutdownGraceMs });
    log.info('listening', { port: server.port, pid: process.pid });
    let closing: Promise<void> | undefined;
    return {
      instanceId,
      port: server.port,
      close() {
        closing ??= (async () => {
          log.info('stopping');
          await server.close();
          await teardown();
        })();
        return closing;
      },
    };
  } catch (err) {
    await teardown().catch(() => undefined);
    throw err;
  }
}

import type { ClusterConfig } from '../../config/cluster-schema.js';
import { ensureCredentials } from '../../config/ensure-credentials.js';
import { redisHostOf, registryUrlOf } from '../../config/cluster-urls.js';
import { localAddressToward } from '../../common/local-address.js';
import { stateLayout } from '../../config/state-layout.js';
import { authorizeRequests } from '../../kit/authorize-requests.js';
import { openCacheDirtyStore } from './cache-dirty-store.js';
import { openChangeSignal } from './change-signal.js';
import { callPeers } from './call-peers.js';
import { closeRedis, connectRedis } from './connect-redis.js';
import { createCache } from './create-cache.js';
import { createLogger } from '../../kit/create-logger.js';
import { createMetrics } from '../../kit/create-metrics.js';
import { createServiceApp } from '../../kit/create-service-app.js';
import { createTokenService } from '../../kit/create-token-service.js';
import { openDatabase, serveWithoutWaiting } from './open-database.js';
import { startCheckpointer } from './start-checkpointer.js';
import { countLockWaits } from './count-lock-waits.js';
import { resolvePeersFromConfig, resolvePeersFromRegistry, type PeerResolver } from './resolve-peers.js';
import { registerInstance, type Registration } from '../../registry/register-instance.js';
import { watchRegistry } from '../../registry/watch-registry.js';
import type { ServiceDefinition, ServiceInstance } from './service-definition.js';
import { shipLogs, type SendBatch } from './ship-logs.js';
import { startHttpServer } from '../../kit/start-http-server.js';
import { drainTraffic } from '../../kit/drain-traffic.js';
import { probeTcp } from '../../kit/probe-port.js';
import { openOutboxStore } from './outbox-store.js';
import { relayOutbox } from './relay-outbox.js';
import { consumeEvents } from './consume-events.js';
import { openProcessedEventsStore } from './processed-events-store.js';
import { parseDuration } from '../../common/parse-duration.js';
import { INSTANCE_TIMINGS } from '../../config/defaults.js';
import { Router } from 'express';
import { createLatencyFault } from '../../kit/inject-latency.js';
import { faultRoutes } from './fault-routes.js';

/** A running service instance. */
export interface ServiceHandle {
  instanceId: string;
  port: number;
  /** Graceful stop: listener closed, in-flight requests finished, logs flushed, Redis and SQLite closed. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts one instance of a service kind on `port`, wired to the cluster's Redis, logger and credentials, and
 * registered with the registry (`registryUrl`, default from the cluster file) once it listens; peers come from a
 * watch of the registry. `registryUrl: null` runs it unregistered with peers from the cluster file.
 */
export async function startService(options: {
  definition: ServiceDefinition;
  id: number;
  port: number;
  cluster: ClusterConfig;
  registryUrl?: string | null;
}): Promise<ServiceHandle> {
  const { definition, id, cluster } = options;
  const kind = definition.kind;
  const instanceId = `${kind}-${id}`;
  const credentials = ensureCredentials(cluster.stateDir);
  const dbFile = stateLayout(cluster.stateDir).database(kind);
  const db = openDatabase(dbFile, definition.migrations, { starting: true });
  const checkpointer = startCheckpointer(db, dbFile);
  const metrics = createMetrics({ service: kind, instance_id: instanceId });
  countLockWaits(metrics);
  const registryUrl = options.registryUrl === undefined ? registryUrlOf(cluster) : options.registryUrl;
  let registration: Registration | undefined;
  let sendLogs: SendBatch = async (batch) => {
    const res = await logPeers.call('logger', { method: 'POST', path: '/api/logs', body: batch, idempotent: true });
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
  const fromConfig = resolvePeersFromConfig(cluster);
  const resolver: PeerResolver = registryUrl ? resolvePeersFromRegistry(watchRegistry({ registryUrl, log }), fromConfig, { cluster, log }) : fromConfig;

  const peers = callPeers({ resolver, clusterToken: credentials.clusterToken, timeoutMs: cluster.http.peerTimeoutMs });
  const logPeers = callPeers({ resolver, clusterToken: credentials.clusterToken, timeoutMs: cluster.http.peerTimeoutMs, transport: 'http' });
  const redisAt = { host: redisHostOf(cluster), port: cluster.redis.port, password: credentials.redisPassword, log };
  const redis = connectRedis({ ...redisAt, commandTimeoutMs: cluster.cache.commandTimeoutMs });
  const changeSignal = openChangeSignal(`${dbFile}.changes`);
  const cacheOutcomes = metrics.counter('ecom_cache_requests_total', 'Cache lookups by outcome.', ['outcome']);
  const cache = createCache({
    redis,
    dirty: openCacheDirtyStore(db),
    signal: changeSignal,
    ttlMs: parseDuration(cluster.cache.ttl, 'cache.ttl'),
    onOutcome: (outcome) => cacheOutcomes.inc({ outcome }),
  });
  const tokens = createTokenService(credentials.jwtSecret);
  const auth = authorizeRequests(tokens, credentials.clusterToken);
  const startedAt = Date.now();

  const outbox = openOutboxStore(db, instanceId);
  const stopRelay = relayOutbox({ outbox, redis, service: kind, instanceId, log });
  let stopConsumer: (() => Promise<void>) | undefined;

  let instance: ServiceInstance | undefined;
  const teardown = async (): Promise<void> => {
    await registration?.close();
    await stopConsumer?.();
    await stopRelay();
    await instance?.close?.();
    cache.close();
    resolver.close();
    await closeRedis(redis);
    await shipper.close();
    await Promise.all([peers.close?.(), logPeers.close?.()]);
    await checkpointer.close();
    db.close();
    changeSignal.close();
  };

  try {
    instance = await definition.create({
      kind,
      id,
      instanceId,
      cluster,
      credentials,
      db,
      log,
      metrics,
      cache,
      peers,
      resolver,
      tokens,
      auth,
      outbox,
    });
    if (instance.sendLogs) sendLogs = instance.sendLogs;
    if (instance.consumes) {
      // Blocking stream reads need their own connection, without the short cache command timeout.
      const streamRedis = connectRedis({ ...redisAt, commandTimeoutMs: 10_000 });
      stopConsumer = consumeEvents({
        redis: streamRedis,
        group: kind,
        consumer: instanceId,
        handlers: instance.consumes.handlers,
        afterApply: instance.consumes.afterApply,
        processed: openProcessedEventsStore(db),
        log,
      });
    }
    const latency = createLatencyFault();
    const app = createServiceApp({
      instanceId,
      latency,
      bodyLimitBytes: instance.bodyLimitBytes ?? cluster.http.bodyLimitBytes,
      metrics,
      log,
      routes: Router().use(faultRoutes(latency, auth)).use(instance.routes),
      health: () => ({ service: kind, id, redis: redis.status === 'ready' ? 'up' : 'down', uptimeMs: Date.now() - startedAt }),
    });
    serveWithoutWaiting(db);
    const server = await startHttpServer(app, { host: cluster.host, port: options.port, graceMs: cluster.http.shutdownGraceMs });
    log.info('listening', { port: server.port, pid: process.pid });
    if (instance.warmPeers) setTimeout(() => void peers.warm?.(), INSTANCE_TIMINGS.peerWarmDelayMs).unref();
    if (registryUrl) {
      registration = registerInstance({
        registryUrl,
        clusterToken: credentials.clusterToken,
        service: kind,
        id,
        // In a container: the address the registry sees us on (its network), not the wildcard we bind.
        host: cluster.container ? await localAddressToward(cluster.container.iscsHost, cluster.iscs.port) : cluster.host,
        port: server.port,
        heartbeatMs: cluster.iscs.heartbeatMs,
        log,
        meta: { pid: String(process.pid) },
      });
    }
    let closing: Promise<void> | undefined;
    return {
      instanceId,
      port: server.port,
      close() {
        closing ??= (async () => {
          log.info('stopping');
          // Leave the registry first and keep serving while the gateway reloads without us.
          // On the process runtime the gateway listens on this host: once it is gone (`ecom down`) nothing is left to drain.
          const gatewayGone = cluster.runtime === 'process' ? async () => !(await probeTcp(cluster.host, cluster.gateway.port, { timeoutMs: 100 })) : undefined;
          if (await registration?.close()) await drainTraffic(server.server, { quietMs: 250, maxMs: cluster.http.drainMs, gatewayGone });
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

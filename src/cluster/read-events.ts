import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { EcomError } from '../common/ecom-error.js';
import { sqliteBinding } from '../common/load-sqlite-addon.js';
import { DEAD_LETTERS, EVENT_STREAM, decodeEvent, fieldMap, type DeadLetter, type DomainEvent } from '../services/shared/domain-event.js';
import { openOutboxStore } from '../services/shared/outbox-store.js';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { ensureCredentials } from '../config/ensure-credentials.js';
import { redisAuth } from '../services/shared/connect-redis.js';
import { SERVICE_KINDS } from '../config/defaults.js';
import { stateLayout } from '../config/state-layout.js';

/** What `ecom events` shows: the stream, each consumer group's lag, each service's unpublished outbox. */
export interface EventsOverview {
  stream: { name: string; length: number; lastId: string | null };
  groups: Array<{ name: string; consumers: number; pending: number; lag: number | null; lastDeliveredId: string }>;
  outbox: Record<string, number>;
  /** Events a consumer group gave up after its handler kept failing (`ecom events --dead` lists them). */
  deadLetters: number;
  recent: Array<DomainEvent & { streamId: string }>;
}

/** The newest `limit` dead letters, newest first. */
export async function readDeadLetters(redis: Redis, limit: number): Promise<DeadLetter[]> {
  const raw = await redis.lrange(DEAD_LETTERS, 0, limit - 1);
  return raw.map((text) => JSON.parse(text) as DeadLetter);
}

/** Connects to the cluster's redis-server for inspection, with the cluster's redis password; fails with a hint when it is down. */
export async function connectForInspection(cluster: ClusterConfig): Promise<Redis> {
  const redis = new Redis({
    host: cluster.host,
    port: cluster.redis.port,
    ...redisAuth(ensureCredentials(cluster.stateDir).redisPassword),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    disableClientInfo: true,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return redis;
  } catch (cause) {
    redis.disconnect();
    throw new EcomError('redis_unreachable', `no redis-server answers on ${cluster.host}:${cluster.redis.port}`, {
      cause,
      hint: 'start the cluster with `ecom up -d`',
    });
  }
}

/** Counts unpublished outbox events in every service's SQLite file (read-only). */
export function outboxBacklog(cluster: ClusterConfig): Record<string, number> {
  const backlog: Record<string, number> = {};
  for (const kind of SERVICE_KINDS) {
    const file = stateLayout(cluster.stateDir).database(kind);
    if (!existsSync(file)) continue;
    const db = new Database(file, { readonly: true, timeout: 2000, ...sqliteBinding() });
    try {
      const hasOutbox = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").get();
      if (hasOutbox) backlog[kind] = openOutboxStore(db).pending();
    } finally {
      db.close();
    }
  }
  return backlog;
}

/** Reads the stream's length, the groups' lag and the last `recent` events. */
export async function readEvents(cluster: ClusterConfig, redis: Redis, recent: number): Promise<EventsOverview> {
  const exists = (await redis.exists(EVENT_STREAM)) === 1;
  let length = 0;
  let lastId: string | null = null;
  let groups: EventsOverview['groups'] = [];
  let entries: Array<DomainEvent & { streamId: string }> = [];
  if (exists) {
    const info = fieldMap((await redis.xinfo('STREAM', EVENT_STREAM)) as unknown[]);
    length = Number(info.get('length') ?? 0);
    lastId = (info.get('last-generated-id') as string | undefined) ?? null;
    const rawGroups = (await redis.xinfo('GROUPS', EVENT_STREAM)) as unknown[][];
    groups = rawGroups.map((g) => {
      const m = fieldMap(g);
      const lag = m.get('lag');
      return {
        name: String(m.get('name')),
        consumers: Number(m.get('consumers') ?? 0),
        pending: Number(m.get('pending') ?? 0),
        lag: lag === null || lag === undefined ? null : Number(lag),
        lastDeliveredId: String(m.get('last-delivered-id') ?? ''),
      };
    });
    const raw = recent > 0 ? ((await redis.xrevrange(EVENT_STREAM, '+', '-', 'COUNT', recent)) as Array<[string, string[]]>) : [];
    entries = raw
      .reverse()
      .map(([streamId, fields]) => {
        const e = decodeEvent(fields);
        return e ? { ...e, streamId } : undefined;
      })
      .filter((e): e is DomainEvent & { streamId: string } => e !== undefined);
  }
  const deadLetters = await redis.llen(DEAD_LETTERS);
  return { stream: { name: EVENT_STREAM, length, lastId }, groups, outbox: outboxBacklog(cluster), deadLetters, recent: entries };
}

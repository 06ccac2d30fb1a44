import { Router } from 'express';
import { z } from 'zod';
import { parseDuration } from '../../common/parse-duration.js';
import { LOG_LEVELS } from '../../common/log-levels.js';
import { LOG_BATCH_LIMIT_BYTES, type LogEntry } from '../../kit/create-logger.js';
import { httpError } from '../../kit/http-error.js';
import type { ServiceDefinition } from '../shared/service-definition.js';
import type { DomainEvent } from '../shared/domain-event.js';
import { validateInput } from '../../kit/validate-input.js';
import { LOGGER_MIGRATIONS, openLoggerStore } from './logger-store.js';
import { retryWhileBusy } from '../shared/retry-while-busy.js';
import { STRICT_ROUTING } from '../../kit/create-service-app.js';

const entry = z
  .object({
    ts: z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()]).transform((t) => (typeof t === 'number' ? new Date(t).toISOString() : t)),
    service: z.string().min(1).max(64),
    instance: z.string().min(1).max(64),
    level: z.enum(LOG_LEVELS),
    msg: z.string().max(10_000),
  })
  .catchall(z.unknown());
const batch = z.array(entry).min(1, 'expected at least one entry').max(2000);
const query = z.object({
  service: z.string().max(64).optional(),
  instance: z.string().max(64).optional(),
  level: z.enum(LOG_LEVELS).optional(),
  since: z.string().max(40).optional(),
  after: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(100),
});

const auditQuery = z.object({
  type: z.enum(['USER_REGISTERED', 'PROFILE_UPDATED', 'ORDER_PLACED', 'PRODUCTS_IMPORTED']).optional(),
  after: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(100),
});

function sinceToMs(since: string | undefined): number | undefined {
  if (since === undefined) return undefined;
  if (/^\d+(\.\d+)?(ms|s|m|h|d)$/.test(since)) return Date.now() - parseDuration(since, 'since');
  const at = Date.parse(since);
  if (Number.isNaN(at)) throw httpError(400, 'validation_failed', 'invalid query: since: expected a duration like 5m or an ISO time');
  return at;
}

/** The logger service: takes log batches from every instance and answers filtered queries. */
export const loggerService: ServiceDefinition = {
  kind: 'logger',
  migrations: LOGGER_MIGRATIONS,
  create({ db, auth, cluster }) {
    const store = openLoggerStore(db);
    const prune = setInterval(() => void retryWhileBusy(() => store.prune(cluster.logs.retainRows)).catch(() => undefined), 60_000);
    prune.unref();

    const audit = (event: DomainEvent): void =>
      store.audit({ eventId: event.id, type: event.type, payload: event.payload, ts: event.ts, source: event.source });
    const routes = Router(STRICT_ROUTING);
    routes.post('/api/logs', auth.cluster, async (req, res) => {
      const entries = validateInput(batch, req.body) as LogEntry[];
      await retryWhileBusy(() => store.append(entries));
      res.status(202).json({ accepted: entries.length });
    });
    routes.get('/api/logs/audit', auth.adminOrCluster, (req, res) => {
      const q = validateInput(auditQuery, req.query, 'query');
      res.json({ items: store.auditTrail({ type: q.type, afterSeq: q.after ?? 0, limit: q.limit }) });
    });
    routes.get('/api/logs', auth.adminOrCluster, (req, res) => {
      const q = validateInput(query, req.query, 'query');
      const items = store.query({ ...q, sinceMs: sinceToMs(q.since), afterId: q.after });
      res.json({ items });
    });
    return {
      routes,
      bodyLimitBytes: LOG_BATCH_LIMIT_BYTES,
      sendLogs: (entries) => retryWhileBusy(() => store.append(entries)),
      consumes: { handlers: { USER_REGISTERED: audit, PROFILE_UPDATED: audit, ORDER_PLACED: audit, PRODUCTS_IMPORTED: audit } },
      close: () => clearInterval(prune),
    };
  },
};

import { LOG_LEVELS, type LogLevel } from '../../common/log-levels.js';
import type { LogEntry } from '../../kit/create-logger.js';
import type { Db } from '../shared/open-database.js';

/** A stored entry as `GET /api/logs` returns it. */
export type StoredLogEntry = LogEntry & { id: number };

/** Schema versions of logger.db, applied in order, never rewritten. */
export const LOGGER_MIGRATIONS = [
  `CREATE TABLE logs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     ts_ms INTEGER NOT NULL,
     ts TEXT NOT NULL,
     service TEXT NOT NULL,
     instance TEXT NOT NULL,
     level INTEGER NOT NULL,
     msg TEXT NOT NULL,
     fields TEXT
   );
   CREATE INDEX logs_by_time ON logs (ts_ms);
   CREATE INDEX logs_by_service ON logs (service, ts_ms);`,
  `CREATE TABLE audit_events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     event_id TEXT NOT NULL UNIQUE,
     type TEXT NOT NULL,
     payload TEXT NOT NULL,
     ts TEXT NOT NULL,
     source TEXT NOT NULL
   );`,
] as const;

/** One entry of the audit trail of domain events. */
export interface AuditEntry {
  seq: number;
  eventId: string;
  type: string;
  payload: unknown;
  ts: string;
  source: string;
}

/** Filters of a log query; `level` is the least severity returned. */
export interface LogQuery {
  service?: string;
  instance?: string;
  level?: LogLevel;
  sinceMs?: number;
  afterId?: number;
  limit: number;
}

/** All SQL of the logger service. */
export interface LoggerStore {
  append(entries: readonly LogEntry[]): void;
  /** Matching entries, oldest first: the first `limit` after `sinceMs`/`afterId`, else the newest `limit`. */
  query(q: LogQuery): StoredLogEntry[];
  /** Deletes all but the newest `keep` rows; returns how many went. */
  prune(keep: number): number;
  /** Adds a domain event to the audit trail (a repeated event id is ignored). */
  audit(entry: Omit<AuditEntry, 'seq'>): void;
  /** Audit entries after `afterSeq`, oldest first, optionally of one type. */
  auditTrail(options: { type?: string; afterSeq: number; limit: number }): AuditEntry[];
}

interface LogRow {
  id: number;
  ts: string;
  service: string;
  instance: string;
  level: number;
  msg: string;
  fields: string | null;
}

/** Prepares the logger store's statements on an open database. */
export function openLoggerStore(db: Db): LoggerStore {
  const insert = db.prepare('INSERT INTO logs (ts_ms, ts, service, instance, level, msg, fields) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const append = db.transaction((entries: readonly LogEntry[]) => {
    for (const { ts, service, instance, level, msg, ...fields } of entries) {
      const ms = Date.parse(ts);
      const extra = Object.keys(fields).length ? JSON.stringify(fields) : null;
      insert.run(Number.isNaN(ms) ? Date.now() : ms, ts, service, instance, LOG_LEVELS.indexOf(level), msg, extra);
    }
  });
  const pruneStmt = db.prepare('DELETE FROM logs WHERE id <= (SELECT max(id) FROM logs) - ?');
  const insertAudit = db.prepare('INSERT INTO audit_events (event_id, type, payload, ts, source) VALUES (?, ?, ?, ?, ?) ON CONFLICT(event_id) DO NOTHING');
  const auditAll = db.prepare('SELECT * FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?');
  const auditByType = db.prepare('SELECT * FROM audit_events WHERE type = ? AND seq > ? ORDER BY seq LIMIT ?');
  const toEntry = (row: LogRow): StoredLogEntry => ({
    ...(row.fields ? (JSON.parse(row.fields) as Record<string, unknown>) : {}),
    id: row.id,
    ts: row.ts,
    service: row.service,
    instance: row.instance,
    level: LOG_LEVELS[row.level] ?? 'info',
    msg: row.msg,
  });
  return {
    append: (entries) => append(entries),
    query(q) {
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: q.limit };
      const addCondition = (clause: string, name: string, value: unknown): void => {
        where.push(clause);
        params[name] = value;
      };
      if (q.service) addCondition('service = @service', 'service', q.service);
      if (q.instance) addCondition('instance = @instance', 'instance', q.instance);
      if (q.level) addCondition('level >= @level', 'level', LOG_LEVELS.indexOf(q.level));
      if (q.sinceMs !== undefined) addCondition('ts_ms >= @since', 'since', q.sinceMs);
      if (q.afterId !== undefined) addCondition('id > @afterId', 'afterId', q.afterId);
      const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const forward = q.sinceMs !== undefined || q.afterId !== undefined;
      const rows = db.prepare(`SELECT * FROM logs ${filter} ORDER BY id ${forward ? 'ASC' : 'DESC'} LIMIT @limit`).all(params) as LogRow[];
      if (!forward) rows.reverse();
      return rows.map(toEntry);
    },
    prune: (keep) => pruneStmt.run(keep).changes,
    audit: (e) => void insertAudit.run(e.eventId, e.type, JSON.stringify(e.payload), e.ts, e.source),
    auditTrail({ type, afterSeq, limit }) {
      const rows = (type ? auditByType.all(type, afterSeq, limit) : auditAll.all(afterSeq, limit)) as Array<{
        seq: number;
        event_id: string;
        type: string;
        payload: string;
        ts: string;
        source: string;
      }>;
      return rows.map((r) => ({
        seq: r.seq,
        eventId: r.event_id,
        type: r.type,
        payload: JSON.parse(r.payload) as unknown,
        ts: r.ts,
        source: r.source,
      }));
    },
  };
}

import { atStart, type Db } from './open-database.js';

/** Domain event types (docs/events.md). */
export type EventType = 'USER_REGISTERED' | 'PROFILE_UPDATED' | 'ORDER_PLACED' | 'PRODUCTS_IMPORTED';

/** An outbox row waiting to be published. */
export interface OutboxEvent {
  id: number;
  type: EventType;
  payload: string;
  createdAt: string;
}

/** The outbox of one service's database; all SQL of it lives here. */
export interface OutboxStore {
  /** Records an event; call inside the transaction that makes the change it announces. */
  append(type: EventType, payload: unknown): void;
  /** Claims up to `limit` unsent events for `owner` (claims older than `staleMs` are taken over). */
  claim(owner: string, limit: number, staleMs: number): OutboxEvent[];
  /** Unsent events claimed by `owner` (appended by it, or claimed before): its to publish, without a claim (a read). */
  claimedBy(owner: string, limit: number): OutboxEvent[];
  markSent(ids: readonly number[]): void;
  /** Unsent events (the backlog while Redis is away). */
  pending(): number;
  /** Whether some unsent event is claimable now (a read: takes no write lock). */
  claimable(staleMs: number): boolean;
  /** Calls `listener` soon after an append (once per burst, after the appending transaction); returns an unsubscribe. */
  onAppend(listener: () => void): () => void;
}

/**
 * Opens the outbox table in a service's database (created if missing). With `owner` (the instance's id), every event
 * is appended already claimed by it: its relay publishes it without a claim of its own (a write transaction and a
 * commit less per run), and should the instance die first, another relay takes the claim over once it is stale.
 */
export function openOutboxStore(db: Db, owner?: string): OutboxStore {
  const schema = `CREATE TABLE IF NOT EXISTS outbox (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     type TEXT NOT NULL,
     payload TEXT NOT NULL,
     created_at TEXT NOT NULL,
     claimed_by TEXT,
     claimed_at INTEGER,
     sent_at TEXT
   );
   CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (id) WHERE sent_at IS NULL;`;
  atStart(db, () => db.exec(schema));
  const insert = db.prepare('INSERT INTO outbox (type, payload, created_at, claimed_by, claimed_at) VALUES (?, ?, ?, ?, ?)');
  const claimedBy = db.prepare('SELECT id, type, payload, created_at AS createdAt FROM outbox WHERE sent_at IS NULL AND claimed_by = ? ORDER BY id LIMIT ?');
  const claim = db.prepare(
    `UPDATE outbox SET claimed_by = @owner, claimed_at = @now
     WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND (claimed_at IS NULL OR claimed_at < @stale) ORDER BY id LIMIT @limit)
     RETURNING id, type, payload, created_at AS createdAt`,
  );
  const markSent = db.prepare('UPDATE outbox SET sent_at = ? WHERE id = ?');
  const pending = db.prepare('SELECT count(*) FROM outbox WHERE sent_at IS NULL').pluck();
  const prune = db.prepare('DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?');
  const claimable = db.prepare('SELECT 1 FROM outbox WHERE sent_at IS NULL AND (claimed_at IS NULL OR claimed_at < ?) LIMIT 1').pluck();
  let marks = 0;
  const listeners = new Set<() => void>();
  let wakeScheduled = false;
  // After the current synchronous work, so the transaction that appended has committed (or rolled back: a harmless wake).
  const wake = (): void => {
    wakeScheduled = false;
    for (const listener of listeners) listener();
  };
  return {
    append(type, payload) {
      const now = Date.now();
      insert.run(type, JSON.stringify(payload), new Date(now).toISOString(), owner ?? null, owner === undefined ? null : now);
      if (!wakeScheduled && listeners.size > 0) {
        wakeScheduled = true;
        setImmediate(wake);
      }
    },
    claimable: (staleMs) => claimable.get(Date.now() - staleMs) !== undefined,
    onAppend(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    claim(owner, limit, staleMs) {
      const now = Date.now();
      const rows = claim.all({ owner, now, stale: now - staleMs, limit }) as OutboxEvent[];
      return rows.sort((a, b) => a.id - b.id);
    },
    claimedBy: (by, limit) => claimedBy.all(by, limit) as OutboxEvent[],
    markSent: db.transaction((ids: readonly number[]) => {
      const at = new Date().toISOString();
      for (const id of ids) markSent.run(at, id);
      // Sent events are kept a day for inspection, then pruned now and then.
      if (++marks % 100 === 0) prune.run(new Date(Date.now() - 86_400_000).toISOString());
    }),
    pending: () => pending.get() as number,
  };
}

import { atStart, type Db } from './open-database.js';

/** Remembers which events a consumer applied, so a redelivered event is applied once. */
export interface ProcessedEventsStore {
  /** Runs `apply` and records `eventId` in one transaction; returns false (and skips) when it was applied before. */
  applyOnce(eventId: string, apply: () => void): boolean;
  /**
   * `applyOnce` for a batch in ONE write transaction (one lock, one commit), each event in its own savepoint: an
   * event whose `apply` throws is rolled back alone and answered with its error; the others stay applied.
   */
  applyEach(items: ReadonlyArray<{ eventId: string; apply: () => void }>): Array<boolean | Error>;
}

/** Opens the processed-events table in the consumer's own database (created if missing). */
export function openProcessedEventsStore(db: Db): ProcessedEventsStore {
  atStart(db, () => db.exec('CREATE TABLE IF NOT EXISTS processed_events (event_id TEXT PRIMARY KEY, processed_at TEXT NOT NULL)'));
  const mark = db.prepare('INSERT INTO processed_events (event_id, processed_at) VALUES (?, ?) ON CONFLICT DO NOTHING');
  const applyOnce = db.transaction((eventId: string, apply: () => void): boolean => {
    if (mark.run(eventId, new Date().toISOString()).changes === 0) return false;
    apply();
    return true;
  });
  const applyEach = db.transaction((items: ReadonlyArray<{ eventId: string; apply: () => void }>) =>
    items.map(({ eventId, apply }) => {
      try {
        // Nested in the batch's transaction, this is a savepoint.
        return applyOnce(eventId, apply);
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    }),
  );
  return { applyOnce: (eventId, apply) => applyOnce.immediate(eventId, apply), applyEach: (items) => applyEach.immediate(items) };
}

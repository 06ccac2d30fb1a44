/** Result codes of a lock held by another SQLite connection (or a read snapshot it made stale, or its WAL-index rebuild). */
const BUSY_CODES = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY']);

/** Whether `err` is SQLite refusing a statement because another connection holds the lock. */
export function isBusyError(err: unknown): boolean {
  return BUSY_CODES.has((err as { code?: string } | null)?.code ?? '');
}

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { sqliteBinding } from '../../common/load-sqlite-addon.js';
import { sleepSync } from '../../common/sleep-sync.js';
import { isBusyError } from '../../kit/is-busy-error.js';

/** A better-sqlite3 connection. */
export type Db = Database.Database;

/** How long start-up work (opening, migrations, schema of shared tables, seeding the admin) waits for a lock. */
const START_LOCK_WAIT_MS = 10_000;

/**
 * Opens (creating if needed) a SQLite file shared by several processes: WAL, and `migrations` applied in order
 * exactly once, under a write lock (waited for up to 10 s at start), never dropping data. Each migration is the SQL
 * of one schema version; `user_version` records how many have run. Afterwards the busy timeout is 0: a write that
 * meets another process's lock fails at once with SQLITE_BUSY and is retried by `retryWhileBusy`, which yields to the
 * event loop between tries instead of sleeping inside it. `{ starting: true }` keeps waiting on locks until
 * `serveWithoutWaiting` (a service's start-up reads too, and may meet another instance rebuilding the WAL index).
 */
export function openDatabase(file: string, migrations: readonly string[], options: { starting?: boolean } = {}): Db {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: START_LOCK_WAIT_MS, ...sqliteBinding() });
  enableWal(db);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const migrate = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    for (let version = current; version < migrations.length; version++) {
      db.exec(migrations[version]!);
    }
    if (current < migrations.length) db.pragma(`user_version = ${migrations.length}`);
  });
  migrate.immediate();
  if (!options.starting) serveWithoutWaiting(db);
  return db;
}

/**
 * Switches `db` to WAL. Processes that open a new file together all try to: the one that loses meets the winner's
 * write lock inside the read transaction the switch starts in, where SQLite answers SQLITE_BUSY at once without its
 * busy handler. So this waits and tries again, for as long as start-up waits on any lock.
 */
function enableWal(db: Db): void {
  const deadline = Date.now() + START_LOCK_WAIT_MS;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if (!isBusyError(err) || Date.now() > deadline) throw err;
      sleepSync(10);
    }
  }
}

/** Ends start-up's waiting on locks: from now on a busy database answers SQLITE_BUSY at once (see `openDatabase`). */
export function serveWithoutWaiting(db: Db): void {
  db.pragma('busy_timeout = 0');
}

/** Runs start-up work that writes, waiting for the lock as SQLite's busy handler does (start-up serves no request). */
export function atStart<T>(db: Db, work: () => T): T {
  const before = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma(`busy_timeout = ${START_LOCK_WAIT_MS}`);
  try {
    return work();
  } finally {
    db.pragma(`busy_timeout = ${before}`);
  }
}

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { sqliteBinding } from '../../common/load-sqlite-addon.js';

/** A better-sqlite3 connection. */
export type Db = Database.Database;

/**
 * Opens (creating if needed) a SQLite file shared by several processes: WAL, and `migrations` applied in order
 * exactly once, under a write lock (waited for up to 10 s at start), never dropping data. Each migration is the SQL
 * of one schema version; `user_version` records how many have run. Afterwards the busy timeout is 0: a write that
 * meets another process's lock fails at once with SQLITE_BUSY and is retried by `retryWhileBusy`, which yields to the
 * event loop between tries instead of sleeping inside it.
 */
export function openDatabase(file: string, migrations: readonly string[]): Db {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 10_000, ...sqliteBinding() });
  db.pragma('journal_mode = WAL');
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
  db.pragma('busy_timeout = 0');
  return db;
}

/** How long start-up work (schema of shared tables, seeding the admin) waits for the write lock. */
const START_LOCK_WAIT_MS = 10_000;

/** Runs start-up work that writes, waiting for the lock as SQLite's busy handler does (start-up serves no request). */
export function atStart<T>(db: Db, work: () => T): T {
  db.pragma(`busy_timeout = ${START_LOCK_WAIT_MS}`);
  try {
    return work();
  } finally {
    db.pragma('busy_timeout = 0');
  }
}

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { sqliteBinding } from '../../common/load-sqlite-addon.js';

/** A better-sqlite3 connection. */
export type Db = Database.Database;

/**
 * Opens (creating if needed) a SQLite file shared by several processes: WAL, a busy timeout so writers queue
 * instead of failing, and `migrations` applied in order exactly once, under a write lock, never dropping data.
 * Each migration is the SQL of one schema version; `user_version` records how many have run.
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
  return db;
}

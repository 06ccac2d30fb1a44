import { atStart, type Db } from './open-database.js';

/** Cache keys whose invalidation could not reach Redis; shared through the service's SQLite file by all its instances. */
export interface CacheDirtyStore {
  add(keys: readonly string[]): void;
  /** Every key still awaiting its invalidation (read into memory; the cache re-reads it when its change signal moves). */
  all(): Set<string>;
  list(limit: number): Array<{ key: string; since: number }>;
  remove(entries: ReadonlyArray<{ key: string; since: number }>): void;
}

/** Opens the dirty-key table in a service's database (created if missing). */
export function openCacheDirtyStore(db: Db): CacheDirtyStore {
  atStart(db, () => db.exec('CREATE TABLE IF NOT EXISTS cache_dirty (key TEXT PRIMARY KEY, since INTEGER NOT NULL)'));
  const insert = db.prepare('INSERT INTO cache_dirty (key, since) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET since = excluded.since');
  const all = db.prepare('SELECT key FROM cache_dirty').pluck();
  const list = db.prepare('SELECT key, since FROM cache_dirty ORDER BY since LIMIT ?');
  const remove = db.prepare('DELETE FROM cache_dirty WHERE key = ? AND since = ?');
  let since = 0;
  const stamp = (): number => (since = Math.max(since + 1, Date.now() * 1000));
  return {
    add: db.transaction((keys: readonly string[]) => {
      for (const key of keys) insert.run(key, stamp());
    }),
    all: () => new Set(all.all() as string[]),
    list: (limit) => list.all(limit) as Array<{ key: string; since: number }>,
    remove: db.transaction((entries: ReadonlyArray<{ key: string; since: number }>) => {
      for (const e of entries) remove.run(e.key, e.since);
    }),
  };
}

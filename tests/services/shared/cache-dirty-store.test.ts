import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCacheDirtyStore, type CacheDirtyStore } from '../../../src/services/shared/cache-dirty-store.js';

describe('cache dirty store (SQLite)', () => {
  let db: Database.Database;
  let dirty: CacheDirtyStore;
  beforeEach(() => {
    db = new Database(':memory:');
    dirty = openCacheDirtyStore(db);
  });
  afterEach(() => db.close());

  it('keeps each key once, listing the oldest first up to a limit', () => {
    dirty.add(['b', 'a']);
    dirty.add(['c', 'b']);
    expect(dirty.all()).toEqual(new Set(['a', 'b', 'c']));
    expect(dirty.list(10).map((e) => e.key)).toEqual(['a', 'c', 'b']);
    expect(dirty.list(2).map((e) => e.key)).toEqual(['a', 'c']);
  });

  it('removes only the records it was given, not a key recorded again since', () => {
    dirty.add(['a', 'b']);
    const listed = dirty.list(10);
    dirty.add(['a']);
    dirty.remove(listed);
    expect(dirty.all()).toEqual(new Set(['a']));
  });

  it('is shared by every connection to the same table', () => {
    openCacheDirtyStore(db).add(['x']);
    expect(dirty.all()).toEqual(new Set(['x']));
  });
});

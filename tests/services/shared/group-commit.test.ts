import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { groupCommit } from '../../../src/services/shared/group-commit.js';
import { openDatabase, type Db } from '../../../src/services/shared/open-database.js';

describe('group commit', () => {
  let dir: string;
  let db: Db;
  let other: Database.Database;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-group-commit-'));
    db = openDatabase(join(dir, 't.db'), ['CREATE TABLE t (v TEXT PRIMARY KEY)']);
    other = new Database(join(dir, 't.db'));
  });
  afterEach(() => {
    other.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const insert = (v: string) => () => db.prepare('INSERT INTO t (v) VALUES (?)').run(v).changes;
  const seenByOther = (): string[] => other.prepare('SELECT v FROM t ORDER BY v').pluck().all() as string[];

  it('runs the writes of one turn in one transaction: none is visible to another connection before all ran', async () => {
    const write = groupCommit(db);
    let seenDuringSecond: string[] | undefined;
    const first = write(insert('a'));
    const second = write(() => {
      seenDuringSecond = seenByOther();
      return insert('b')();
    });
    expect(await Promise.all([first, second])).toEqual([1, 1]);
    expect(seenDuringSecond).toEqual([]);
    expect(seenByOther()).toEqual(['a', 'b']);
  });

  it('rolls back only the write that threw, and tells only its caller', async () => {
    const write = groupCommit(db);
    const good = write(insert('a'));
    const bad = write(() => {
      insert('b')();
      throw new Error('refused');
    });
    const duplicate = write(insert('a'));
    const later = write(insert('c'));
    await expect(good).resolves.toBe(1);
    await expect(bad).rejects.toThrow('refused');
    await expect(duplicate).rejects.toThrow(/UNIQUE/);
    await expect(later).resolves.toBe(1);
    expect(seenByOther()).toEqual(['a', 'c']);
  });

  it('waits, yielding, while another connection holds the write lock', async () => {
    const write = groupCommit(db);
    other.prepare('BEGIN IMMEDIATE').run();
    let done = false;
    const pending = write(insert('x')).then((n) => ((done = true), n));
    await new Promise((r) => setTimeout(r, 30));
    expect(done).toBe(false);
    other.prepare('COMMIT').run();
    expect(await pending).toBe(1);
    expect(seenByOther()).toEqual(['x']);
  });
});

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atStart, openDatabase, serveWithoutWaiting, type Db } from '../../../src/services/shared/open-database.js';

const busyTimeout = (db: Db): number => db.pragma('busy_timeout', { simple: true }) as number;

describe('how long a connection waits on another process’s lock', () => {
  let dir: string;
  let db: Db | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-open-db-'));
  });
  afterEach(() => {
    db?.close();
    db = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('does not wait once opened for serving: a busy database answers SQLITE_BUSY at once', () => {
    db = openDatabase(join(dir, 'a.db'), []);
    expect(busyTimeout(db)).toBe(0);
  });

  it('waits all through a service’s start-up (its reads too), until it serves', () => {
    db = openDatabase(join(dir, 'a.db'), [], { starting: true });
    expect(busyTimeout(db)).toBe(10_000);
    atStart(db, () => expect(busyTimeout(db!)).toBe(10_000));
    // Start-up work that writes does not end the start-up's wait…
    expect(busyTimeout(db)).toBe(10_000);
    serveWithoutWaiting(db);
    expect(busyTimeout(db)).toBe(0);
    // …and start-up work done while serving (the admin account) waits only while it runs.
    atStart(db, () => expect(busyTimeout(db!)).toBe(10_000));
    expect(busyTimeout(db)).toBe(0);
  });

  it('turns a new file to WAL although another process holds its write lock then (two instances creating it together)', async () => {
    const file = join(dir, 'shared.db');
    const holder = spawn(process.execPath, [fileURLToPath(new URL('../../fixtures/hold-sqlite-write-lock.mjs', import.meta.url)), file, '400'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(holder, 'exit');
    await once(holder.stdout, 'data');
    // SQLite itself answers this switch with SQLITE_BUSY at once, without waiting in its busy handler.
    db = openDatabase(file, ['CREATE TABLE products (id INTEGER PRIMARY KEY)']);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT count(*) FROM held').pluck().get()).toBe(1);
    expect(await exited).toEqual([0, null]);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});

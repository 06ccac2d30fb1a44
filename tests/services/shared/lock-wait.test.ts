import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/services/shared/open-database.js';
import { isBusyError } from '../../../src/kit/is-busy-error.js';
import { observeLockWaits, retryWhileBusy } from '../../../src/services/shared/retry-while-busy.js';
import { countLockWaits } from '../../../src/services/shared/count-lock-waits.js';
import { createMetrics } from '../../../src/kit/create-metrics.js';

/**
 * Another process that takes the write lock of `file` (BEGIN IMMEDIATE), says "locked" on stdout, holds the lock until
 * its stdin closes, then commits and exits.
 */
function holdWriteLock(file: string): Promise<{ release(): Promise<void> }> {
  const script = `
    const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
    const db = new Database(${JSON.stringify(file)});
    db.exec('BEGIN IMMEDIATE; INSERT INTO t (v) VALUES (0)');
    process.stdout.write('locked\\n');
    process.stdin.on('end', () => { db.exec('COMMIT'); db.close(); process.exit(0); });
    process.stdin.resume();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', () =>
      resolve({
        async release() {
          child.stdin.end();
          await exited;
        },
      }),
    );
  });
}

describe('writes that meet another process’s SQLite lock', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-lock-'));
    db = openDatabase(join(dir, 'shared.db'), ['CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)']);
  });
  afterEach(() => {
    observeLockWaits(undefined);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fail at once inside SQLite (busy timeout 0) instead of sleeping in the event loop', async () => {
    const holder = await holdWriteLock(join(dir, 'shared.db'));
    try {
      let error: unknown;
      try {
        db.prepare('INSERT INTO t (v) VALUES (1)').run();
      } catch (err) {
        error = err;
      }
      expect(isBusyError(error)).toBe(true);
    } finally {
      await holder.release();
    }
  });

  it('are retried while the event loop keeps running, and land once the lock is released', async () => {
    const holder = await holdWriteLock(join(dir, 'shared.db'));
    const waits: Array<{ tries: number; gaveUp: boolean }> = [];
    observeLockWaits((_ms, tries, gaveUp) => waits.push({ tries, gaveUp }));
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const written = retryWhileBusy(() => insert.run(7).changes);
    // While the write waits, timers of this process keep firing: nothing blocks the loop.
    let ticks = 0;
    for (; ticks < 5; ticks++) await new Promise((r) => setTimeout(r, 20));
    expect(db.prepare('SELECT count(*) FROM t WHERE v = 7').pluck().get()).toBe(0);
    await holder.release();
    expect(await written).toBe(1);
    expect(ticks).toBe(5);
    expect(db.prepare('SELECT v FROM t ORDER BY id').pluck().all()).toEqual([0, 7]);
    expect(waits).toHaveLength(1);
    expect(waits[0]!.gaveUp).toBe(false);
    expect(waits[0]!.tries).toBeGreaterThan(2);
  });

  it('give up with the SQLite error after the limit, writing nothing', async () => {
    const holder = await holdWriteLock(join(dir, 'shared.db'));
    try {
      await expect(retryWhileBusy(() => db.prepare('INSERT INTO t (v) VALUES (9)').run(), 100)).rejects.toSatisfy(isBusyError);
    } finally {
      await holder.release();
    }
    expect(db.prepare('SELECT count(*) FROM t WHERE v = 9').pluck().get()).toBe(0);
  });

  it('are counted in the instance metrics: each wait by outcome, and the time waited', async () => {
    const metrics = createMetrics({ service: 'product', instance_id: 'product-1' });
    countLockWaits(metrics);
    const holder = await holdWriteLock(join(dir, 'shared.db'));
    const written = retryWhileBusy(() => db.prepare('INSERT INTO t (v) VALUES (3)').run());
    await expect(retryWhileBusy(() => db.prepare('INSERT INTO t (v) VALUES (4)').run(), 50)).rejects.toSatisfy(isBusyError);
    await new Promise((r) => setTimeout(r, 50));
    await holder.release();
    await written;
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^ecom_sqlite_lock_waits_total\{outcome="written",[^}]*\} 1$/m);
    expect(text).toMatch(/^ecom_sqlite_lock_waits_total\{outcome="gave_up",[^}]*\} 1$/m);
    const seconds = Number(/^ecom_sqlite_lock_wait_seconds_total\{[^}]*\} (\S+)$/m.exec(text)?.[1]);
    // The give-up waited its 50 ms limit, the write at least as long (it landed only after the release).
    expect(seconds).toBeGreaterThanOrEqual(0.1);
  });

  it('pass other errors through untouched, without retrying', async () => {
    let runs = 0;
    await expect(
      retryWhileBusy(() => {
        runs++;
        return db.prepare('INSERT INTO missing (v) VALUES (1)').run();
      }),
    ).rejects.toThrow(/no such table/);
    expect(runs).toBe(1);
  });
});

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/services/shared/open-database.js';
import { LOOP_CHECKPOINT_BACKSTOP_PAGES, START_AT_WAL_BYTES, startCheckpointer, type Checkpointer } from '../../../src/services/shared/start-checkpointer.js';
import { waitFor } from '../../helpers/wait-for.js';

// Runs the built worker script (dist/services/shared/checkpoint-worker.js): `npm run build` first.
describe('the WAL checkpoint thread (started once the WAL file grows)', () => {
  let dir: string;
  let file: string;
  let db: Db;
  let checkpointer: Checkpointer | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-checkpoint-'));
    file = join(dir, 'service.db');
    db = openDatabase(file, ['CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)']);
  });
  afterEach(async () => {
    await checkpointer?.close();
    checkpointer = undefined;
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const writeAboutTwoMegabytes = (): void => {
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 500; i++) insert.run('x'.repeat(4000));
    })();
  };

  const backstopSet = (): boolean => db.pragma('wal_autocheckpoint', { simple: true }) === LOOP_CHECKPOINT_BACKSTOP_PAGES;

  const walBytes = (): number => statSync(`${file}-wal`).size;

  it('starts no thread while the WAL file is small', async () => {
    checkpointer = startCheckpointer(db, file, 50);
    db.prepare('INSERT INTO t (v) VALUES (?)').run('one row');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(walBytes()).toBeLessThan(START_AT_WAL_BYTES);
    expect(backstopSet()).toBe(false);
  });

  it('once the WAL grows, copies it back into the database file on its own thread, and leaves the loop only a backstop', async () => {
    checkpointer = startCheckpointer(db, file, 50);
    const before = statSync(file).size;
    // 500 pages stay in the WAL (below any auto-checkpoint of this connection) until someone checkpoints them.
    writeAboutTwoMegabytes();
    expect(statSync(file).size).toBe(before);
    expect(walBytes()).toBeGreaterThanOrEqual(START_AT_WAL_BYTES);
    await waitFor('the thread to start', backstopSet);
    await waitFor('the database file to hold the rows', () => statSync(file).size > before + 1_900_000, 5_000);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(500);
  });

  it('stops its thread on close (idempotent), after which nothing copies the WAL any more', async () => {
    checkpointer = startCheckpointer(db, file, 50);
    writeAboutTwoMegabytes();
    await waitFor('the thread to start', backstopSet);
    await Promise.all([checkpointer.close(), checkpointer.close()]);
    const before = statSync(file).size;
    writeAboutTwoMegabytes();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statSync(file).size).toBe(before);
  });

  it('closed before the WAL grew, starts no thread afterwards', async () => {
    checkpointer = startCheckpointer(db, file, 50);
    await checkpointer.close();
    writeAboutTwoMegabytes();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(backstopSet()).toBe(false);
    expect(walBytes()).toBeGreaterThanOrEqual(START_AT_WAL_BYTES);
  });
});

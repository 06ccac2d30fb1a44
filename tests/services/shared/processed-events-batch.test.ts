import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/services/shared/open-database.js';
import { openProcessedEventsStore } from '../../../src/services/shared/processed-events-store.js';

describe('applying a batch of events in one transaction', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-batch-'));
    db = openDatabase(join(dir, 'order.db'), ['CREATE TABLE notes (event TEXT PRIMARY KEY)']);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the events that applied when one in the middle fails, and applies each id once', () => {
    const processed = openProcessedEventsStore(db);
    const note = db.prepare('INSERT INTO notes (event) VALUES (?)');
    const item = (eventId: string, fail = false) => ({
      eventId,
      apply: () => {
        note.run(eventId);
        if (fail) throw new Error(`handler of ${eventId} failed`);
      },
    });
    const outcomes = processed.applyEach([item('a'), item('b', true), item('c')]);
    expect(outcomes.slice(0, 1)).toEqual([true]);
    expect(outcomes[1]).toBeInstanceOf(Error);
    expect((outcomes[1] as Error).message).toBe('handler of b failed');
    expect(outcomes[2]).toBe(true);
    expect(db.prepare('SELECT event FROM notes ORDER BY event').pluck().all()).toEqual(['a', 'c']);
    // b was rolled back with its processed-events row, so it can be applied later; a and c are not applied twice.
    expect(processed.applyEach([item('a'), item('b'), item('c')])).toEqual([false, true, false]);
    expect(db.prepare('SELECT event FROM notes ORDER BY event').pluck().all()).toEqual(['a', 'b', 'c']);
  });
});

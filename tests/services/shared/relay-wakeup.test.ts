import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/kit/create-logger.js';
import { EVENT_STREAM } from '../../../src/services/shared/domain-event.js';
import { openDatabase, type Db } from '../../../src/services/shared/open-database.js';
import { openOutboxStore } from '../../../src/services/shared/outbox-store.js';
import { relayOutbox } from '../../../src/services/shared/relay-outbox.js';
import { startRedis, type TestRedis } from '../../helpers/start-redis.js';
import { waitFor } from '../../helpers/wait-for.js';

const quiet = createLogger({ service: 'test', instance: 'test', level: 'error', out: { write: () => true } as unknown as NodeJS.WritableStream });

describe('outbox relay wake-up', () => {
  let dir: string;
  let redis: TestRedis;
  let db: Db;
  let client: Redis;
  const closers: Array<() => Promise<void> | void> = [];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-wake-'));
    redis = await startRedis();
    db = openDatabase(join(dir, 'user.db'), []);
    client = new Redis({ port: redis.port, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    client.disconnect();
    db.close();
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes an event as soon as the transaction that appended it commits, without waiting for the poll', async () => {
    const outbox = openOutboxStore(db);
    await waitFor('redis', () => client.status === 'ready');
    // The fallback poll is an hour away: only the wake-up of the commit can publish within the test.
    closers.push(relayOutbox({ outbox, redis: client, service: 'user', instanceId: 'user-1', log: quiet, everyMs: 3_600_000 }));
    const write = db.transaction((n: number) => outbox.append('PROFILE_UPDATED', { userId: n, profileVersion: n }));
    for (let n = 1; n <= 3; n++) {
      write(n);
      await waitFor(`event ${n} on the stream`, async () => (await client.xlen(EVENT_STREAM)) === n, 5_000, 5);
    }
    const entries = await client.xrange(EVENT_STREAM, '-', '+');
    expect(entries.map(([, fields]) => fields[fields.indexOf('id') + 1])).toEqual(['user:1', 'user:2', 'user:3']);
    expect(outbox.pending()).toBe(0);
  });

  it('does not publish an event whose transaction rolled back', async () => {
    const outbox = openOutboxStore(db);
    await waitFor('redis', () => client.status === 'ready');
    closers.push(relayOutbox({ outbox, redis: client, service: 'user', instanceId: 'user-1', log: quiet, everyMs: 3_600_000 }));
    const failing = db.transaction(() => {
      outbox.append('PROFILE_UPDATED', { userId: 1, profileVersion: 1 });
      throw new Error('rolled back');
    });
    expect(() => failing()).toThrow('rolled back');
    db.transaction(() => outbox.append('PROFILE_UPDATED', { userId: 2, profileVersion: 1 }))();
    await waitFor('the committed event', async () => (await client.xlen(EVENT_STREAM)) === 1, 5_000, 5);
    const [[, fields]] = (await client.xrange(EVENT_STREAM, '-', '+')) as [[string, string[]]];
    expect(JSON.parse(fields[fields.indexOf('payload') + 1]!)).toEqual({ userId: 2, profileVersion: 1 });
  });
  it('publishes a stream of commits in batches: a run starts at least spacingMs after one that published a batch', async () => {
    const outbox = openOutboxStore(db);
    // Every claim that found events: when, and how many it took.
    const runs: Array<{ at: number; events: number }> = [];
    const counted = {
      ...outbox,
      claim: (...args: Parameters<typeof outbox.claim>) => {
        const events = outbox.claim(...args);
        if (events.length > 0) runs.push({ at: performance.now(), events: events.length });
        return events;
      },
    };
    await waitFor('redis', () => client.status === 'ready');
    closers.push(relayOutbox({ outbox: counted, redis: client, service: 'user', instanceId: 'user-1', log: quiet, everyMs: 3_600_000, spacingMs: 50 }));
    const write = db.transaction((n: number) => outbox.append('PROFILE_UPDATED', { userId: n, profileVersion: n }));
    // A burst (5 commits in one turn: one run publishes them), then 15 commits one every 5 ms or so: one run per
    // commit would be 16 runs; after a run that published a batch, the next waits at least 50 ms, and takes whatever
    // was committed meanwhile. On a loaded machine the commits come further apart and more runs take one each: the
    // spacing after a batch is what must hold, whatever the clock does.
    for (let n = 1; n <= 5; n++) write(n);
    await waitFor('the burst on the stream', async () => (await client.xlen(EVENT_STREAM)) === 5, 5_000, 2);
    for (let n = 6; n <= 20; n++) {
      write(n);
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor('every event on the stream', async () => (await client.xlen(EVENT_STREAM)) === 20, 5_000, 5);
    expect(runs.reduce((sum, r) => sum + r.events, 0)).toBe(20);
    expect(runs[0]!.events).toBe(5);
    expect(runs.length).toBeGreaterThan(1);
    for (let i = 1; i < runs.length; i++) {
      if (runs[i - 1]!.events > 1) expect(runs[i]!.at - runs[i - 1]!.at).toBeGreaterThanOrEqual(45);
    }
  });

  it('publishes lone events one after another at once: a run that published one event holds the next back by nothing', async () => {
    const outbox = openOutboxStore(db);
    await waitFor('redis', () => client.status === 'ready');
    // Spacing and poll an hour: only a run that does not wait can publish each event within the test.
    closers.push(relayOutbox({ outbox, redis: client, service: 'user', instanceId: 'user-1', log: quiet, everyMs: 3_600_000, spacingMs: 3_600_000 }));
    const write = db.transaction((n: number) => outbox.append('PROFILE_UPDATED', { userId: n, profileVersion: n }));
    for (let n = 1; n <= 5; n++) {
      write(n);
      await waitFor(`event ${n} on the stream`, async () => (await client.xlen(EVENT_STREAM)) === n, 5_000, 2);
    }
    expect(outbox.pending()).toBe(0);
  });
});

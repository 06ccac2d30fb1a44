import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/kit/create-logger.js';
import { consumeEvents } from '../../../src/services/shared/consume-events.js';
import { EVENT_STREAM, encodeEvent } from '../../../src/services/shared/domain-event.js';
import { openDatabase, type Db } from '../../../src/services/shared/open-database.js';
import { openProcessedEventsStore } from '../../../src/services/shared/processed-events-store.js';
import { startRedis, type TestRedis } from '../../helpers/start-redis.js';
import { waitFor } from '../../helpers/wait-for.js';

const quiet = createLogger({ service: 'test', instance: 'test', level: 'error', out: { write: () => true } as unknown as NodeJS.WritableStream });

describe('event consumer under a stream of events', () => {
  let dir: string;
  let redis: TestRedis;
  let db: Db;
  let client: Redis;
  let reader: Redis;
  const closers: Array<() => Promise<void> | void> = [];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-spacing-'));
    redis = await startRedis();
    db = openDatabase(join(dir, 'order.db'), []);
    client = new Redis({ port: redis.port, maxRetriesPerRequest: 1 });
    reader = new Redis({ port: redis.port, maxRetriesPerRequest: 1 });
    for (const c of [client, reader]) c.on('error', () => undefined);
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    client.disconnect();
    reader.disconnect();
    db.close();
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  });
  /** An event's stream fields, as the relay writes them. */
  const fields = (id: string, type = 'PROFILE_UPDATED', payload = JSON.stringify({ userId: Number(id.split(':')[1]) }), source = 'user-1') =>
    encodeEvent({ id, type, payload, ts: new Date().toISOString(), source });
  /** Starts the order group's consumer on `reader`, applying PROFILE_UPDATED into `applied`; resolves once its group exists. */
  const consume = async (applied: string[], extra: Partial<Parameters<typeof consumeEvents>[0]> = {}): Promise<void> => {
    await waitFor('redis', () => reader.status === 'ready' && client.status === 'ready');
    closers.push(
      consumeEvents({
        redis: reader,
        group: 'order',
        consumer: 'order-1',
        processed: openProcessedEventsStore(db),
        log: quiet,
        handlers: { PROFILE_UPDATED: (event) => void applied.push(event.id) },
        ...extra,
      }),
    );
    await waitFor(
      'the group',
      async () => ((await client.exists(EVENT_STREAM)) === 1 ? ((await client.xinfo('GROUPS', EVENT_STREAM)) as unknown[]) : []).length === 1,
      5_000,
      5,
    );
  };

  it('reads a lone event at once and a stream of events in batches (reads spaced after one that found several)', async () => {
    const store = openProcessedEventsStore(db);
    let batches = 0;
    const processed = { ...store, applyEach: (...args: Parameters<typeof store.applyEach>) => (batches++, store.applyEach(...args)) };
    const applied: string[] = [];
    await consume(applied, { processed, spacingMs: 50 });
    const publish = (n: number) => client.xadd(EVENT_STREAM, '*', ...fields(`user:${n}`));
    await publish(0);
    await waitFor('the lone event', () => applied.length === 1, 5_000, 2);
    const before = batches;
    // A burst (5 events in one MULTI: one read takes them), then 15 events one every 5 ms: read one by one they would
    // take 16 transactions; after the burst's batch, reads 50 ms apart take them in a handful.
    const burst = client.multi();
    for (let n = 1; n <= 5; n++) burst.xadd(EVENT_STREAM, '*', ...fields(`user:${n}`));
    await burst.exec();
    for (let n = 6; n <= 20; n++) {
      await publish(n);
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor('every event applied', () => applied.length === 21, 5_000, 5);
    expect(applied).toEqual(Array.from({ length: 21 }, (_, n) => `user:${n}`));
    expect(batches - before).toBeGreaterThan(1);
    expect(batches - before).toBeLessThanOrEqual(8);
  });

  it('reads lone events one after another at once: a read that found one event holds the next back by nothing', async () => {
    const applied: string[] = [];
    // Spacing an hour: only reads that do not wait can apply each event within the test.
    await consume(applied, { spacingMs: 3_600_000 });
    for (let n = 1; n <= 5; n++) {
      await client.xadd(EVENT_STREAM, '*', ...fields(`user:${n}`));
      await waitFor(`event ${n} applied`, () => applied.length === n, 5_000, 2);
    }
    expect(applied).toEqual(['user:1', 'user:2', 'user:3', 'user:4', 'user:5']);
  });

  it('acknowledges events of a type it has no handler for, without applying or recording them', async () => {
    const applied: string[] = [];
    await consume(applied);
    const add = (id: string, type: string, payload: string) => client.xadd(EVENT_STREAM, '*', ...fields(id, type, payload, 'order-1'));
    await add('order:1', 'ORDER_PLACED', JSON.stringify({ orderId: 'x' }));
    // Not even valid JSON: an unhandled type's payload is never read.
    await add('order:2', 'ORDER_PLACED', '{not json');
    await add('user:1', 'PROFILE_UPDATED', JSON.stringify({ userId: 1 }));
    await waitFor('the handled event applied', () => applied.length === 1, 5_000, 2);
    await waitFor('every event acknowledged', async () => ((await client.xpending(EVENT_STREAM, 'order')) as [number])[0] === 0, 5_000, 5);
    expect(applied).toEqual(['user:1']);
    expect(db.prepare('SELECT event_id FROM processed_events ORDER BY event_id').pluck().all()).toEqual(['user:1']);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consumeEvents } from '../../../src/services/shared/consume-events.js';
import { createLogger } from '../../../src/kit/create-logger.js';
import { EVENT_STREAM } from '../../../src/services/shared/domain-event.js';
import { openDatabase, type Db } from '../../../src/services/shared/open-database.js';
import { openOutboxStore } from '../../../src/services/shared/outbox-store.js';
import { openProcessedEventsStore } from '../../../src/services/shared/processed-events-store.js';
import { relayOutbox } from '../../../src/services/shared/relay-outbox.js';
import { startRedis, type TestRedis } from '../../helpers/start-redis.js';
import { waitFor } from '../../helpers/wait-for.js';

const quiet = createLogger({
  service: 'test',
  instance: 'test',
  level: 'error',
  out: { write: () => true } as unknown as NodeJS.WritableStream,
});

describe('outbox relay and consumer groups', () => {
  let dir: string;
  let redis: TestRedis;
  const closers: Array<() => Promise<void> | void> = [];
  const client = (): Redis => {
    const r = new Redis({ port: redis.port, maxRetriesPerRequest: 1 });
    r.on('error', () => undefined);
    closers.push(() => r.disconnect());
    return r;
  };
  const db = (name: string): Db => {
    const d = openDatabase(join(dir, `${name}.db`), []);
    closers.push(() => {
      d.close();
    });
    return d;
  };
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-events-'));
    redis = await startRedis();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes every event once through two relays on one outbox, and a consumer applies each once', async () => {
    const source = db('user');
    const outbox = openOutboxStore(source);
    const write = source.transaction((n: number) => outbox.append('PROFILE_UPDATED', { userId: n, profileVersion: 1 }));
    for (let i = 1; i <= 300; i++) write(i);
    const relayA = relayOutbox({
      outbox: openOutboxStore(source),
      redis: client(),
      service: 'user',
      instanceId: 'user-1',
      log: quiet,
      everyMs: 5,
    });
    const relayB = relayOutbox({
      outbox: openOutboxStore(db('user')),
      redis: client(),
      service: 'user',
      instanceId: 'user-2',
      log: quiet,
      everyMs: 5,
    });
    closers.push(relayA, relayB);
    const applied: number[] = [];
    const sink = db('order');
    const stop = consumeEvents({
      redis: client(),
      group: 'order',
      consumer: 'order-1',
      handlers: { PROFILE_UPDATED: (e) => void applied.push((e.payload as { userId: number }).userId) },
      processed: openProcessedEventsStore(sink),
      log: quiet,
      blockMs: 100,
    });
    closers.push(stop);
    await waitFor('all applied', () => applied.length >= 300, 15_000);
    await waitFor('outbox drained', () => outbox.pending() === 0);
    await new Promise((r) => setTimeout(r, 300));
    expect(applied).toHaveLength(300);
    expect(new Set(applied).size).toBe(300);
  });

  it('applies an event delivered twice only once', async () => {
    const r = client();
    const fields = ['id', 'order:1', 'type', 'ORDER_PLACED', 'payload', '{"items":[]}', 'ts', 'now', 'source', 'order-1'];
    await r.xadd(EVENT_STREAM, '*', ...fields);
    await r.xadd(EVENT_STREAM, '*', ...fields);
    let applied = 0;
    const processed = openProcessedEventsStore(db('product'));
    const stop = consumeEvents({
      redis: client(),
      group: 'product',
      consumer: 'product-1',
      handlers: { ORDER_PLACED: () => void applied++ },
      processed,
      log: quiet,
      blockMs: 100,
    });
    closers.push(stop);
    await waitFor('both entries acknowledged', async () => {
      const pending = (await r.xpending(EVENT_STREAM, 'product')) as [number];
      const info = (await r.xinfo('GROUPS', EVENT_STREAM)) as unknown[][];
      return pending[0] === 0 && info.length === 1 && String(info[0]![info[0]!.indexOf('last-delivered-id') + 1]) !== '0-0';
    });
    expect(applied).toBe(1);
    expect(processed.applyOnce('order:1', () => void applied++)).toBe(false);
    expect(applied).toBe(1);
  });

  it('lets a live consumer claim what a dead one left pending', async () => {
    const r = client();
    await r.xgroup('CREATE', EVENT_STREAM, 'order', '0', 'MKSTREAM');
    for (let i = 1; i <= 5; i++)
      await r.xadd(EVENT_STREAM, '*', 'id', `user:${i}`, 'type', 'PROFILE_UPDATED', 'payload', JSON.stringify({ userId: i }), 'ts', 't', 'source', 'user-1');
    // A consumer that reads a batch and dies before acknowledging it.
    const dead = (await r.xreadgroup('GROUP', 'order', 'order-9', 'COUNT', 10, 'STREAMS', EVENT_STREAM, '>')) as Array<[string, unknown[]]>;
    expect(dead[0]![1]).toHaveLength(5);
    const applied: number[] = [];
    const stop = consumeEvents({
      redis: client(),
      group: 'order',
      consumer: 'order-1',
      handlers: { PROFILE_UPDATED: (e) => void applied.push((e.payload as { userId: number }).userId) },
      processed: openProcessedEventsStore(db('order')),
      log: quiet,
      claimIdleMs: 300,
      claimEveryMs: 100,
      blockMs: 100,
    });
    closers.push(stop);
    await waitFor('claimed and applied', () => applied.length === 5, 10_000);
    expect(applied.sort()).toEqual([1, 2, 3, 4, 5]);
    await waitFor('nothing pending', async () => ((await r.xpending(EVENT_STREAM, 'order')) as [number])[0] === 0);
  });

  it('keeps events in the outbox while Redis is down and publishes them when it is back', async () => {
    const source = db('user');
    const outbox = openOutboxStore(source);
    const r = client();
    const relay = relayOutbox({ outbox, redis: r, service: 'user', instanceId: 'user-1', log: quiet, everyMs: 20 });
    closers.push(relay);
    await waitFor('relay connected', () => r.status === 'ready');
    await redis.kill();
    source.transaction(() => outbox.append('USER_REGISTERED', { userId: 1 }))();
    await new Promise((res) => setTimeout(res, 200));
    expect(outbox.pending()).toBe(1);
    await redis.restart();
    await waitFor('published', () => outbox.pending() === 0, 10_000);
    const check = client();
    expect(await check.xlen(EVENT_STREAM)).toBe(1);
  });
  it('publishes the events an instance appended without claiming them, and another relay takes them over once that instance is gone', async () => {
    const source = db('user');
    // Appended by user-1, whose relay is not running (the instance died after its commit).
    const mine = openOutboxStore(source, 'user-1');
    const write = source.transaction((n: number) => mine.append('PROFILE_UPDATED', { userId: n, profileVersion: 1 }));
    const appendedAt = Date.now();
    for (let n = 1; n <= 3; n++) write(n);
    expect(mine.claimedBy('user-1', 10).map((e) => JSON.parse(e.payload).userId)).toEqual([1, 2, 3]);
    expect(mine.claimable(60_000)).toBe(false);
    // user-2 leaves them alone while user-1's claim is fresh, and takes them over once it is stale.
    const claims: number[] = [];
    const other = openOutboxStore(db('user'), 'user-2');
    const counted = { ...other, claim: (...args: Parameters<typeof other.claim>) => other.claim(...args).map((e) => (claims.push(e.id), e)) };
    const r = client();
    closers.push(relayOutbox({ outbox: counted, redis: r, service: 'user', instanceId: 'user-2', log: quiet, everyMs: 20, claimStaleMs: 400 }));
    await waitFor('taken over and published', () => mine.pending() === 0, 5_000);
    expect(claims).toHaveLength(3);
    // Published by user-2 only after the claim went stale (a stream id starts with Redis's clock in ms).
    const [[firstId, fields]] = (await r.xrange(EVENT_STREAM, '-', '+', 'COUNT', 1)) as [[string, string[]]];
    expect(Number(firstId.split('-')[0])).toBeGreaterThanOrEqual(appendedAt + 400);
    expect(fields[fields.indexOf('source') + 1]).toBe('user-2');
    // An instance's own relay publishes its appends at once, never through a claim.
    const ownClaims: number[] = [];
    const own = { ...mine, claim: (...args: Parameters<typeof mine.claim>) => mine.claim(...args).map((e) => (ownClaims.push(e.id), e)) };
    closers.push(relayOutbox({ outbox: own, redis: client(), service: 'user', instanceId: 'user-1', log: quiet, everyMs: 3_600_000, claimStaleMs: 3_600_000 }));
    write(4);
    await waitFor('published by its own relay', async () => (await r.xlen(EVENT_STREAM)) === 4, 5_000);
    // Marked sent a turn after Redis acknowledged the write, so the outbox empties just after the stream grows.
    await waitFor('marked sent', () => mine.pending() === 0, 5_000);
    expect(ownClaims).toEqual([]);
  });
});

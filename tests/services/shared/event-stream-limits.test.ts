import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, type LogEntry } from '../../../src/kit/create-logger.js';
import { consumeEvents } from '../../../src/services/shared/consume-events.js';
import { DEAD_LETTERS, EVENT_STREAM, type DeadLetter, type DomainEvent } from '../../../src/services/shared/domain-event.js';
import { openDatabase } from '../../../src/services/shared/open-database.js';
import { openProcessedEventsStore } from '../../../src/services/shared/processed-events-store.js';
import { trimEventStream } from '../../../src/services/shared/trim-event-stream.js';
import { startRedis, type TestRedis } from '../../helpers/start-redis.js';
import { waitFor } from '../../helpers/wait-for.js';

const entries: LogEntry[] = [];
const log = createLogger({
  service: 'test',
  instance: 'test',
  level: 'debug',
  out: { write: () => true } as unknown as NodeJS.WritableStream,
  sink: (e) => entries.push(e),
});

describe('the event stream keeps what a group still needs, and a consumer never gets stuck', () => {
  let server: TestRedis;
  let redis: Redis;
  const stops: Array<() => Promise<void>> = [];
  beforeEach(async () => {
    server = await startRedis();
    redis = new Redis({ port: server.port });
    entries.length = 0;
  });
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((stop) => stop()));
    redis.disconnect();
    await server.close();
  });

  const publish = async (n: number, type = 'USER_REGISTERED'): Promise<void> => {
    const tx = redis.pipeline();
    for (let i = 0; i < n; i++)
      tx.xadd(EVENT_STREAM, '*', 'id', `user:${Math.random()}`, 'type', type, 'payload', JSON.stringify({ i }), 'ts', '', 'source', 'test');
    await tx.exec();
  };
  const consumer = (group: string, handlers: Parameters<typeof consumeEvents>[0]['handlers'], extra: Partial<Parameters<typeof consumeEvents>[0]> = {}) => {
    const stop = consumeEvents({
      redis: new Redis({ port: server.port }),
      group,
      consumer: `${group}-1`,
      handlers,
      processed: openProcessedEventsStore(openDatabase(':memory:', [])),
      log,
      blockMs: 50,
      ...extra,
    });
    stops.push(stop);
    return stop;
  };

  it('trims only what every group acknowledged, down to the number to keep', async () => {
    await publish(300);
    await redis.xgroup('CREATE', EVENT_STREAM, 'fast', '0');
    await redis.xgroup('CREATE', EVENT_STREAM, 'slow', '0');
    const readAndAck = async (group: string, count: number): Promise<void> => {
      const res = (await redis.xreadgroup('GROUP', group, 'c', 'COUNT', count, 'STREAMS', EVENT_STREAM, '>')) as Array<[string, Array<[string, string[]]>]>;
      const ids = res[0]![1].map(([id]) => id);
      await redis.xack(EVENT_STREAM, group, ...ids);
    };
    await readAndAck('fast', 300);
    expect(await trimEventStream(redis, EVENT_STREAM, 100)).toBe(0); // `slow` has read nothing yet
    expect(await redis.xlen(EVENT_STREAM)).toBe(300);
    await readAndAck('slow', 150);
    await redis.xreadgroup('GROUP', 'slow', 'c', 'COUNT', 20, 'STREAMS', EVENT_STREAM, '>'); // 20 pending, not acked
    expect(await trimEventStream(redis, EVENT_STREAM, 100)).toBe(150);
    await readAndAck('slow', 200);
    await redis.xack(EVENT_STREAM, 'slow', ...((await redis.xpending(EVENT_STREAM, 'slow', '-', '+', 100)) as Array<[string]>).map(([id]) => id));
    expect(await trimEventStream(redis, EVENT_STREAM, 100)).toBe(50);
    expect(await redis.xlen(EVENT_STREAM)).toBe(100);
  });

  it('acknowledges a pending entry that was trimmed away and goes on to new events', async () => {
    await publish(5);
    await redis.xgroup('CREATE', EVENT_STREAM, 'order', '0');
    await redis.xreadgroup('GROUP', 'order', 'order-1', 'COUNT', 5, 'STREAMS', EVENT_STREAM, '>'); // pending for order-1
    await redis.xtrim(EVENT_STREAM, 'MAXLEN', 0); // gone while pending, as the old MAXLEN trim did
    const seen: DomainEvent[] = [];
    consumer('order', { USER_REGISTERED: (e) => seen.push(e) });
    await publish(2);
    await waitFor('the new events', async () => seen.length === 2, 5000);
    const pending = (await redis.xpending(EVENT_STREAM, 'order')) as [number];
    expect(pending[0]).toBe(0);
    expect(entries.filter((e) => /trimmed from the stream/.test(e.msg))).toHaveLength(5);
  });

  it('gives up an event whose handler keeps failing: a dead letter, acknowledged, and the rest flows on', async () => {
    const seen: string[] = [];
    consumer(
      'product',
      {
        ORDER_PLACED: () => {
          throw new Error('handler bug');
        },
        USER_REGISTERED: (e) => seen.push(e.id),
      },
      { claimIdleMs: 20, claimEveryMs: 20, maxAttempts: 3 },
    );
    await publish(1, 'ORDER_PLACED');
    await publish(3);
    await waitFor('a dead letter', async () => (await redis.llen(DEAD_LETTERS)) === 1, 10_000);
    const letter = JSON.parse((await redis.lindex(DEAD_LETTERS, 0))!) as DeadLetter;
    expect(letter).toMatchObject({ group: 'product', attempts: 3, error: 'handler bug', event: { type: 'ORDER_PLACED' } });
    await waitFor('no pending entries', async () => ((await redis.xpending(EVENT_STREAM, 'product')) as [number])[0] === 0, 5000);
    expect(seen).toHaveLength(3);
  });
});

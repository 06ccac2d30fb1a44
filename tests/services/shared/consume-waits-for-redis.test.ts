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
import { freePort } from '../../helpers/free-port.js';
import { startRedis, type TestRedis } from '../../helpers/start-redis.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('an event consumer started beside redis-server', () => {
  let dir: string;
  let db: Db;
  let redis: TestRedis | undefined;
  const clients: Redis[] = [];
  const stops: Array<() => Promise<void>> = [];
  const lines: string[] = [];
  const log = createLogger({
    service: 'test',
    instance: 'test',
    level: 'info',
    out: { write: (line: string) => (lines.push(line), true) } as unknown as NodeJS.WritableStream,
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-consume-wait-'));
    db = openDatabase(join(dir, 'order.db'), []);
    lines.length = 0;
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    for (const c of clients.splice(0)) c.disconnect();
    db.close();
    await redis?.close();
    redis = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  const start = (port: number, quietRedisWaitMs: number, applied: string[]): void => {
    const reader = new Redis({ port, maxRetriesPerRequest: 1, retryStrategy: () => 20 });
    reader.on('error', () => undefined);
    clients.push(reader);
    stops.push(
      consumeEvents({
        redis: reader,
        group: 'order',
        consumer: 'order-1',
        processed: openProcessedEventsStore(db),
        log,
        quietRedisWaitMs,
        handlers: { PROFILE_UPDATED: (event) => void applied.push(event.id) },
      }),
    );
  };
  const publish = async (port: number): Promise<void> => {
    const client = new Redis({ port, maxRetriesPerRequest: 1 });
    clients.push(client);
    const payload = JSON.stringify({ userId: 1, profileVersion: 1 });
    await client.xadd(EVENT_STREAM, '*', ...encodeEvent({ id: 'e1', type: 'PROFILE_UPDATED', payload, ts: new Date().toISOString(), source: 'user-1' }));
  };

  it('waits quietly for a redis that comes up soon, then consumes', async () => {
    const port = await freePort();
    const applied: string[] = [];
    start(port, 5000, applied);
    await new Promise((r) => setTimeout(r, 300));
    redis = await startRedis(port);
    await publish(port);
    await waitFor('the event applied', () => (applied.length === 1 ? true : undefined), 10_000);
    expect(lines.filter((l) => l.includes('waiting for redis'))).toEqual([]);
  });

  it('says it waits once redis has been missing longer than the quiet wait, and that it recovered', async () => {
    const port = await freePort();
    const applied: string[] = [];
    start(port, 100, applied);
    await waitFor('the warning', () => (lines.some((l) => l.includes('event consumer waiting for redis')) ? true : undefined), 10_000);
    redis = await startRedis(port);
    await publish(port);
    await waitFor('the event applied', () => (applied.length === 1 ? true : undefined), 10_000);
    await waitFor('the recovery', () => (lines.some((l) => l.includes('event consumer recovered')) ? true : undefined), 10_000);
    expect(lines.filter((l) => l.includes('waiting for redis'))).toHaveLength(1);
  });
});

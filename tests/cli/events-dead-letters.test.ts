import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEAD_LETTERS, type DeadLetter } from '../../src/services/shared/domain-event.js';
import { startRedis, type TestRedis } from '../helpers/start-redis.js';
import { ECOM_BIN } from '../helpers/start-test-cluster.js';

const run = promisify(execFile);

describe('ecom events --dead', () => {
  let server: TestRedis;
  let dir: string;
  beforeEach(async () => {
    server = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'ecom-dead-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ stateDir: 'state', redis: { port: server.port } }));
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the dead letters newest first, counts them in the overview, and says when there are none', async () => {
    const config = join(dir, 'config.json');
    expect((await run(process.execPath, [ECOM_BIN, 'events', '--dead', '-c', config])).stdout).toBe('no dead letters\n');
    const redis = new Redis({ port: server.port });
    const letter = (n: number): DeadLetter => ({
      group: 'product',
      streamId: `1-${n}`,
      event: { id: `order:${n}`, type: 'ORDER_PLACED', payload: {}, ts: '', source: 'order-1' },
      attempts: 5,
      error: `broken ${n}`,
      at: new Date(n).toISOString(),
    });
    await redis.lpush(DEAD_LETTERS, JSON.stringify(letter(1)), JSON.stringify(letter(2)));
    redis.disconnect();
    const json = JSON.parse((await run(process.execPath, [ECOM_BIN, 'events', '--dead', '--json', '-c', config])).stdout);
    expect(json.deadLetters.map((l: DeadLetter) => l.event.id)).toEqual(['order:2', 'order:1']);
    const text = (await run(process.execPath, [ECOM_BIN, 'events', '--dead', '-c', config])).stdout;
    expect(text).toMatch(/product\s+ORDER_PLACED\s+order:2\s+after 5 attempts: broken 2/);
    const overview = JSON.parse((await run(process.execPath, [ECOM_BIN, 'events', '--json', '-c', config])).stdout);
    expect(overview.deadLetters).toBe(2);
  });
});

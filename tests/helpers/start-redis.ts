import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { startProcess, type TestProcess } from './start-process.js';
import { waitFor } from './wait-for.js';

/** A real redis-server started for a test. */
export interface TestRedis {
  port: number;
  /** Stops the server (SIGKILL by default, as a crash would). */
  kill(): Promise<void>;
  /** Starts it again on the same port and dir. */
  restart(): Promise<void>;
  /** Stops the server and removes its dir. */
  close(): Promise<void>;
}

/** Starts redis-server on a free port (or `port`), without persistence, in a temporary dir. */
export async function startRedis(port?: number): Promise<TestRedis> {
  const actualPort = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'ecom-redis-'));
  let proc: TestProcess | undefined;
  const start = async (): Promise<void> => {
    proc = startProcess('redis-server', ['--port', String(actualPort), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no']);
    await waitFor(`redis-server on ${actualPort}`, async () => {
      const client = new Redis({ port: actualPort, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return (await client.ping()) === 'PONG';
      } finally {
        client.disconnect();
      }
    });
  };
  await start();
  return {
    port: actualPort,
    async kill() {
      await proc?.kill('SIGKILL');
    },
    restart: start,
    async close() {
      await proc?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { afterEach, describe, expect, it } from 'vitest';
import { plainGetScenario } from '../../src/overload/build-scenario.js';
import { createRawHttpPool, type RawHttpPool } from '../../src/overload/raw-http-pool.js';
import { runLoad } from '../../src/overload/run-load.js';
import { startBlackholeListener, type BlackholeListener } from '../helpers/start-blackhole-listener.js';

describe('a target that never completes the TCP handshake', () => {
  let target: BlackholeListener | undefined;
  let pool: RawHttpPool | undefined;
  afterEach(async () => {
    pool?.close();
    pool = undefined;
    await target?.close();
    target = undefined;
  });

  it('fails the connect with CONNECT_TIMEOUT after connectTimeoutMs, not when the kernel gives up', async () => {
    target = await startBlackholeListener();
    pool = createRawHttpPool(`http://127.0.0.1:${target.port}`, { connections: 1, timeoutMs: 5000, connectTimeoutMs: 300 });
    const started = Date.now();
    await expect(pool.exchange({ method: 'GET', path: '/', headers: {}, idempotent: true })).rejects.toMatchObject({ code: 'CONNECT_TIMEOUT' });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(2000);
  });

  it('ends a load run in about the timeout, every request a CONNECT_TIMEOUT error', async () => {
    target = await startBlackholeListener();
    const started = Date.now();
    const s = await runLoad({ origin: `http://127.0.0.1:${target.port}`, scenario: plainGetScenario('/'), concurrency: 2, requestCount: 4, timeoutMs: 400 });
    // Two connections at a time, each attempt waiting the full 400 ms: two rounds.
    expect(Date.now() - started).toBeLessThan(3000);
    expect(s.completed).toBe(4);
    expect(s.errorsByKind).toEqual({ CONNECT_TIMEOUT: 4 });
    expect(s.retries).toBe(0);
    expect(s.ok).toBe(0);
  });
});

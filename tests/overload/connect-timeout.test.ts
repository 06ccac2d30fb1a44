import { describe, expect, it } from 'vitest';
import { plainGetScenario } from '../../src/overload/build-scenario.js';
import { createRawHttpPool } from '../../src/overload/raw-http-pool.js';
import { runLoad } from '../../src/overload/run-load.js';
import { startBlackholeListener } from '../helpers/start-blackhole-listener.js';
import { useClosing } from '../helpers/use-closing.js';

describe('a target that never completes the TCP handshake', () => {
  const use = useClosing();

  it('fails the connect with CONNECT_TIMEOUT after connectTimeoutMs, not when the kernel gives up', async () => {
    const target = use(await startBlackholeListener());
    const pool = use(createRawHttpPool(`http://127.0.0.1:${target.port}`, { connections: 1, timeoutMs: 5000, connectTimeoutMs: 300 }));
    const started = Date.now();
    await expect(pool.exchange({ method: 'GET', path: '/', headers: {}, idempotent: true })).rejects.toMatchObject({
      code: 'CONNECT_TIMEOUT',
    });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(2000);
  });

  it('ends a load run in about the timeout, every request a CONNECT_TIMEOUT error', async () => {
    const target = use(await startBlackholeListener());
    const started = Date.now();
    const s = await runLoad({
      origin: `http://127.0.0.1:${target.port}`,
      scenario: plainGetScenario('/'),
      concurrency: 2,
      requestCount: 4,
      timeoutMs: 400,
    });
    // Two connections at a time, each attempt waiting the full 400 ms: two rounds.
    expect(Date.now() - started).toBeLessThan(3000);
    expect(s.completed).toBe(4);
    expect(s.errorsByKind).toEqual({ CONNECT_TIMEOUT: 4 });
    expect(s.retries).toBe(0);
    expect(s.ok).toBe(0);
  });
});

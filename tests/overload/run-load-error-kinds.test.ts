import { afterEach, describe, expect, it } from 'vitest';
import { plainGetScenario } from '../../src/overload/build-scenario.js';
import { runLoad } from '../../src/overload/run-load.js';
import { freePort } from '../helpers/free-port.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';

describe('runLoad names what went wrong', () => {
  let target: HttpTarget | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  it('counts refused connections as ECONNREFUSED errors, each request once', async () => {
    const port = await freePort();
    const s = await runLoad({
      origin: `http://127.0.0.1:${port}`,
      scenario: plainGetScenario('/'),
      concurrency: 2,
      requestCount: 4,
      timeoutMs: 2000,
    });
    expect(s.completed).toBe(4);
    expect(s.errors).toBe(4);
    expect(s.ok).toBe(0);
    expect(s.retries).toBe(0);
    expect(s.errorsByKind).toEqual({ ECONNREFUSED: 4 });
    expect(s.byStatus).toEqual({});
  });

  it('counts a response slower than the timeout as TIMEOUT', async () => {
    target = await startHttpTarget((req, res, index) => {
      if (index === 0) setTimeout(() => res.end('late'), 3000);
      else res.end('ok');
    });
    const s = await runLoad({ origin: target.origin, scenario: plainGetScenario('/'), concurrency: 1, requestCount: 3, timeoutMs: 300 });
    expect(s.completed).toBe(3);
    expect(s.errorsByKind).toEqual({ TIMEOUT: 1 });
    expect(s.errors).toBe(1);
    expect(s.ok).toBe(2);
    expect(s.latencyMs.max).toBeGreaterThanOrEqual(290);
  });

  it('counts 4xx and 5xx responses as errors by HTTP status', async () => {
    target = await startHttpTarget((_req, res, index) => {
      res.statusCode = [200, 404, 503, 200][index % 4]!;
      res.end();
    });
    const s = await runLoad({ origin: target.origin, scenario: plainGetScenario('/'), concurrency: 1, requestCount: 8, timeoutMs: 2000 });
    expect(s.byStatus).toEqual({ '200': 4, '404': 2, '503': 2 });
    expect(s.errorsByKind).toEqual({ HTTP_404: 2, HTTP_503: 2 });
    expect(s.errors).toBe(4);
    expect(s.ok).toBe(4);
  });
});

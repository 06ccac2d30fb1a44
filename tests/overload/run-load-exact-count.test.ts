import { afterEach, describe, expect, it } from 'vitest';
import { plainGetScenario } from '../../src/overload/build-scenario.js';
import { runLoad } from '../../src/overload/run-load.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';

describe('runLoad sends exactly the planned number of requests', () => {
  let target: HttpTarget | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  it.each([
    [1, 1],
    [3, 10],
    [97, 8],
    [500, 50],
    [2000, 7],
  ])('closed model: N=%i at concurrency %i reaches the server exactly N times', async (n, c) => {
    target = await startHttpTarget();
    const final = await runLoad({
      origin: target.origin,
      scenario: plainGetScenario('/'),
      concurrency: c,
      requestCount: n,
      timeoutMs: 5000,
    });
    expect(target.seen()).toBe(n);
    expect(final.completed).toBe(n);
    expect(final.ok).toBe(n);
    expect(final.errors).toBe(0);
    expect(final.inFlight).toBe(0);
    expect(final.byStatus).toEqual({ '200': n });
    expect(final.final).toBe(true);
    expect(final.model).toBe('closed');
    expect(final.planned).toBe(n);
  });

  it('open model: rate × duration requests, no more, no fewer', async () => {
    target = await startHttpTarget();
    const final = await runLoad({
      origin: target.origin,
      scenario: plainGetScenario('/'),
      concurrency: 4,
      rate: 150,
      durationMs: 1000,
      timeoutMs: 5000,
    });
    expect(final.model).toBe('open');
    expect(final.planned).toBe(150);
    expect(final.completed).toBe(150);
    expect(target.seen()).toBe(150);
  });

  it('sends the path of the scenario, nothing else (no set-up or probe requests)', async () => {
    const paths = new Set<string>();
    target = await startHttpTarget((req, res) => {
      paths.add(`${req.method} ${req.url}`);
      res.end('ok');
    });
    await runLoad({
      origin: target.origin,
      scenario: plainGetScenario('/api/products/7?x=1'),
      concurrency: 3,
      requestCount: 30,
      timeoutMs: 5000,
    });
    expect([...paths]).toEqual(['GET /api/products/7?x=1']);
    expect(target.seen()).toBe(30);
  });
});

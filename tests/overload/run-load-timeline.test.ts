import { afterEach, describe, expect, it } from 'vitest';
import { plainGetScenario } from '../../src/overload/build-scenario.js';
import { runLoad } from '../../src/overload/run-load.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';

describe('runLoad records a timeline and a per-endpoint breakdown', () => {
  let target: HttpTarget | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  it('an open-model run of 1.5 s: timeline entries that add up to the run, one endpoint for the path', async () => {
    target = await startHttpTarget((req, res, index) => {
      res.setHeader('x-instance-id', `product-${1 + (index % 2)}`);
      res.statusCode = index % 10 === 9 ? 503 : 200;
      res.end('ok');
    });
    const before = Date.now();
    const s = await runLoad({
      origin: target.origin,
      scenario: plainGetScenario('/t?x=1'),
      concurrency: 4,
      rate: 100,
      durationMs: 1500,
      timeoutMs: 2000,
    });
    // A tick at 1 s and the final snapshot: two entries (one if a loaded machine delayed the tick past the end).
    expect(s.timeline.length).toBeGreaterThanOrEqual(1);
    expect(s.timeline.length).toBeLessThanOrEqual(2);
    expect(s.startedAtMs).toBeGreaterThanOrEqual(before);
    expect(s.startedAtMs + s.elapsedMs).toBeLessThanOrEqual(Date.now());
    expect(s.timeline.map((p) => p.second)).toEqual(s.timeline.map((_, i) => i + 1));
    expect(s.timeline.at(-1)!.endMs).toBe(s.elapsedMs);
    expect(s.timeline.reduce((n, p) => n + p.requests, 0)).toBe(s.completed);
    expect(s.timeline.reduce((n, p) => n + p.errors, 0)).toBe(s.errors);
    expect(s.timeline[0]!.rps).toBeGreaterThan(20);
    expect(s.timeline[0]!.instances['product-1']).toBeGreaterThan(0);
    expect(s.endpoints).toHaveLength(1);
    expect(s.endpoints[0]).toMatchObject({ name: 'GET /t', requests: s.completed, errors: s.errors });
    expect(s.endpoints[0]!.errorsByKind).toEqual(s.errorsByKind);
    expect(s.spectrum.at(-1)!.latencyMs).toBe(s.latencyMs.max);
  });
});

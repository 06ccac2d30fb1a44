import { describe, expect, it } from 'vitest';
import { collectLoadStats } from '../../src/overload/collect-load-stats.js';

describe('the per-second timeline', () => {
  const stats = () => collectLoadStats({ target: 'http://t', scenario: 'get', model: 'open', planned: 10 });

  it('closes one entry per tick with its own counts, percentiles, errors by kind, instances and cache states', () => {
    const s = stats();
    s.record({ kind: 'response', status: 200, latencyUs: 50_000, instance: 'product-1', cache: 'HIT' });
    s.snapshot({ final: false, elapsedMs: 1000, etaMs: null });
    s.record({ kind: 'response', status: 200, latencyUs: 1000, instance: 'product-1', cache: 'HIT' });
    s.record({ kind: 'response', status: 200, latencyUs: 3000, instance: 'product-2', cache: 'MISS' });
    s.record({ kind: 'response', status: 503, latencyUs: 2000, instance: 'product-2' });
    s.record({ kind: 'failure', error: 'TIMEOUT', latencyUs: 9001 });
    s.snapshot({ final: false, elapsedMs: 2000, etaMs: null });
    s.snapshot({ final: false, elapsedMs: 3000, etaMs: null }); // an empty second stays, with zeros: a stall is visible
    s.record({ kind: 'response', status: 200, latencyUs: 500 });
    const [, second, third, last] = s.snapshot({ final: true, elapsedMs: 3250, etaMs: 0 }).timeline;
    expect(second).toMatchObject({ second: 2, startMs: 1000, endMs: 2000, requests: 4, ok: 2, errors: 2, rps: 4 });
    expect(second!.errorsByKind).toEqual({ HTTP_503: 1, TIMEOUT: 1 });
    expect(second!.instances).toEqual({ 'product-1': 1, 'product-2': 2 });
    expect(second!.cache).toEqual({ HIT: 1, MISS: 1 });
    // Only this second's latencies: the 50 ms of the first second is not in them; the max is exact.
    expect(second!.latencyMs.max).toBe(9.001);
    expect(second!.latencyMs.p50).toBeGreaterThanOrEqual(1.9);
    expect(second!.latencyMs.p50).toBeLessThanOrEqual(2.01);
    expect(second!.latencyMs.p99).toBeLessThanOrEqual(9.001);
    expect(third).toMatchObject({ second: 3, requests: 0, rps: 0, latencyMs: { p50: 0, p90: 0, p99: 0, max: 0 }, errorsByKind: {}, instances: {} });
    // The partial last entry: its rate is over its own 250 ms.
    expect(last).toMatchObject({ second: 4, startMs: 3000, endMs: 3250, requests: 1, rps: 4, latencyMs: { p50: 0.5, max: 0.5 } });
  });

  it('drops an empty partial last entry, and hands out frozen lists that later seconds do not change', () => {
    const s = stats();
    s.record({ kind: 'response', status: 200, latencyUs: 100 });
    const before = s.snapshot({ final: false, elapsedMs: 1000, etaMs: null }).timeline;
    expect(s.snapshot({ final: true, elapsedMs: 1001, etaMs: 0 }).timeline).toHaveLength(1);
    expect(before).toHaveLength(1);
    expect(Object.isFrozen(before)).toBe(true);
    expect(Object.isFrozen(before[0])).toBe(true);
    expect(Object.isFrozen(before[0]!.instances)).toBe(true);
  });

  it('rides on the engine snapshots: one entry per live snapshot, the final one adds the rest; endpoints and spectrum', () => {
    const s = collectLoadStats({ target: 'http://t', scenario: 'mix', model: 'closed', planned: 10 });
    s.record({ kind: 'response', status: 200, latencyUs: 1000 }, 'product');
    s.record({ kind: 'response', status: 200, latencyUs: 2000 }, 'product');
    const live = s.snapshot({ final: false, elapsedMs: 1000, etaMs: null });
    s.record({ kind: 'response', status: 409, latencyUs: 40_000 }, 'checkout');
    const final = s.snapshot({ final: true, elapsedMs: 1500, etaMs: 0 });
    expect(live.timeline.map((p) => p.requests)).toEqual([2]);
    expect(live.spectrum).toEqual([]);
    expect(final.timeline.map((p) => p.requests)).toEqual([2, 1]);
    expect(final.endpoints.map((e) => [e.name, e.requests, e.errors, e.rps])).toEqual([
      ['checkout', 1, 1, 0.7],
      ['product', 2, 0, 1.3],
    ]);
    expect(final.endpoints[0]!.errorsByKind).toEqual({ HTTP_409: 1 });
    expect(final.endpoints[1]!.latencyMs.max).toBe(2);
    const spectrum = final.spectrum;
    expect(spectrum[0]!.percentile).toBe(0);
    expect(spectrum.at(-1)).toEqual({ percentile: 100, latencyMs: 40 });
    for (let i = 1; i < spectrum.length; i++) {
      expect(spectrum[i]!.percentile).toBeGreaterThan(spectrum[i - 1]!.percentile);
      expect(spectrum[i]!.latencyMs).toBeGreaterThanOrEqual(spectrum[i - 1]!.latencyMs);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { collectLoadStats } from '../../src/overload/collect-load-stats.js';
import { recordTimeline } from '../../src/overload/record-timeline.js';

describe('the per-second timeline', () => {
  it('closes one entry per tick with its own counts, percentiles, errors by kind, instances and cache states', () => {
    const t = recordTimeline();
    t.record({ kind: 'response', status: 200, latencyUs: 1000, instance: 'product-1', cache: 'HIT' });
    t.record({ kind: 'response', status: 200, latencyUs: 3000, instance: 'product-2', cache: 'MISS' });
    t.record({ kind: 'response', status: 503, latencyUs: 2000, instance: 'product-2' });
    t.record({ kind: 'failure', error: 'TIMEOUT', latencyUs: 9000 });
    t.close(1000, false);
    t.close(2000, false); // an empty second stays, with zeros: a stall is visible
    t.record({ kind: 'response', status: 200, latencyUs: 500 });
    t.close(2250, true);
    const [first, second, last] = t.points();
    expect(first).toMatchObject({ second: 1, startMs: 0, endMs: 1000, requests: 4, ok: 2, errors: 2, rps: 4 });
    expect(first!.errorsByKind).toEqual({ HTTP_503: 1, TIMEOUT: 1 });
    expect(first!.instances).toEqual({ 'product-1': 1, 'product-2': 2 });
    expect(first!.cache).toEqual({ HIT: 1, MISS: 1 });
    expect(first!.latencyMs.max).toBe(9);
    expect(first!.latencyMs.p50).toBeGreaterThanOrEqual(1.9);
    expect(first!.latencyMs.p50).toBeLessThanOrEqual(2.01);
    expect(second).toMatchObject({ second: 2, requests: 0, rps: 0, latencyMs: { p50: 0, p90: 0, p99: 0, max: 0 }, errorsByKind: {} });
    // The partial last entry: its rate is over its own 250 ms.
    expect(last).toMatchObject({ second: 3, startMs: 2000, endMs: 2250, requests: 1, rps: 4, latencyMs: { max: 0.5 } });
  });

  it('drops an empty partial last entry, and hands out frozen lists that later seconds do not change', () => {
    const t = recordTimeline();
    t.record({ kind: 'response', status: 200, latencyUs: 100 });
    t.close(1000, false);
    const before = t.points();
    t.close(1001, true);
    expect(t.points()).toHaveLength(1);
    t.record({ kind: 'response', status: 200, latencyUs: 100 });
    t.close(2001, false);
    expect(before).toHaveLength(1);
    expect(Object.isFrozen(before)).toBe(true);
    expect(Object.isFrozen(before[0])).toBe(true);
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

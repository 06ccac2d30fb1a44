import { describe, expect, it } from 'vitest';
import { collectLoadStats } from '../../src/overload/collect-load-stats.js';

const stats = () => collectLoadStats({ target: 'http://t', scenario: 'get', model: 'closed', planned: 10 });

describe('collectLoadStats', () => {
  it('counts statuses, errors by kind, instances and cache states; 4xx/5xx and failures are errors', () => {
    const s = stats();
    for (let i = 0; i < 6; i++) s.started();
    s.record({ kind: 'response', status: 200, latencyUs: 1000, instance: 'product-1', cache: 'HIT' });
    s.record({ kind: 'response', status: 200, latencyUs: 1000, instance: 'product-2', cache: 'MISS' });
    s.record({ kind: 'response', status: 304, latencyUs: 1000, instance: 'product-1', cache: 'HIT' });
    s.record({ kind: 'response', status: 404, latencyUs: 1000 });
    s.record({ kind: 'failure', error: 'ECONNRESET', latencyUs: 1000 });
    s.retried();
    const snap = s.snapshot({ final: false, elapsedMs: 1000, etaMs: 5 });
    expect(snap).toMatchObject({ completed: 5, ok: 3, errors: 2, retries: 1, inFlight: 1, planned: 10, etaMs: 5 });
    expect(snap.byStatus).toEqual({ '200': 2, '304': 1, '404': 1 });
    expect(snap.errorsByKind).toEqual({ HTTP_404: 1, ECONNRESET: 1 });
    expect(snap.instances).toEqual({ 'product-1': 2, 'product-2': 1 });
    expect(snap.cache).toEqual({ HIT: 2, MISS: 1 });
    expect(snap.averageRps).toBe(5);
  });

  it('hands out frozen snapshots that later records do not change', () => {
    const s = stats();
    s.record({ kind: 'response', status: 200, latencyUs: 500, instance: 'a' });
    const first = s.snapshot({ final: false, elapsedMs: 1000, etaMs: null });
    s.record({ kind: 'response', status: 500, latencyUs: 500, instance: 'b' });
    expect(Object.isFrozen(first)).toBe(true);
    for (const part of [first.byStatus, first.errorsByKind, first.instances, first.cache, first.latencyMs, first.rpsHistory]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(first.completed).toBe(1);
    expect(first.byStatus).toEqual({ '200': 1 });
    expect(first.instances).toEqual({ a: 1 });
    expect(s.snapshot({ final: true, elapsedMs: 2000, etaMs: 0 }).byStatus).toEqual({ '200': 1, '500': 1 });
  });

  it('keeps one completions-per-second entry per tick; the final snapshot adds none', () => {
    const s = stats();
    const tick = (n: number, elapsedMs: number) => {
      for (let i = 0; i < n; i++) s.record({ kind: 'response', status: 200, latencyUs: 100 });
      return s.snapshot({ final: false, elapsedMs, etaMs: null });
    };
    tick(3, 1000);
    tick(0, 2000);
    const third = tick(5, 3000);
    expect(third.rpsHistory).toEqual([3, 0, 5]);
    expect(third.currentRps).toBe(5);
    s.record({ kind: 'response', status: 200, latencyUs: 100 });
    const final = s.snapshot({ final: true, elapsedMs: 3500, etaMs: 0 });
    expect(final.rpsHistory).toEqual([3, 0, 5]);
    expect(final.completed).toBe(9);
  });

  it('reports milliseconds, with percentiles ordered and never above the max', () => {
    const s = stats();
    // Values above 2048 µs fall into HdrHistogram buckets wider than 1 µs, whose upper bound exceeds the value.
    s.record({ kind: 'response', status: 200, latencyUs: 50_001 });
    let snap = s.snapshot({ final: true, elapsedMs: 100, etaMs: 0 });
    expect(snap.latencyMs.max).toBe(50.001);
    for (const p of ['p50', 'p90', 'p99', 'p999'] as const) expect(snap.latencyMs[p], p).toBeLessThanOrEqual(snap.latencyMs.max);

    for (let i = 1; i <= 99; i++) s.record({ kind: 'response', status: 200, latencyUs: i * 100 });
    s.record({ kind: 'response', status: 200, latencyUs: 1_234_567 });
    snap = s.snapshot({ final: true, elapsedMs: 1000, etaMs: 0 });
    const l = snap.latencyMs;
    expect(l.max).toBe(1234.567);
    expect(l.p50).toBeGreaterThan(4.5);
    expect(l.p50).toBeLessThan(5.5);
    expect(l.p50).toBeLessThanOrEqual(l.p90);
    expect(l.p90).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.p999);
    expect(l.p999).toBeLessThanOrEqual(l.max);
    expect(l.mean).toBeGreaterThan(l.p50);
  });

  it('reports zeros, not NaN, before any outcome', () => {
    const snap = stats().snapshot({ final: false, elapsedMs: 0, etaMs: null });
    expect(snap.latencyMs).toEqual({ p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 });
    expect(snap.averageRps).toBe(0);
    expect(snap.currentRps).toBe(0);
  });
});

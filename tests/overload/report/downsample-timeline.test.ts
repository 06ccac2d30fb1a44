import { describe, expect, it } from 'vitest';
import { downsampleTimeline } from '../../../src/overload/report/downsample-timeline.js';
import { syntheticTimeline } from './synthetic-timeline.js';

describe('downsampleTimeline', () => {
  it('keeps one point per second while the run fits, placed mid-second', () => {
    const c = downsampleTimeline(syntheticTimeline(3), 300);
    expect(c.bucketSeconds).toBe(1);
    expect(c.time).toEqual([0.5, 1.5, 2.5]);
    expect(c.endS).toBe(3);
    expect(c.rps).toEqual([100, 100, 100]);
    expect(c.instances).toEqual({ 'product-1': [50, 50, 50], 'product-2': [50, 50, 50] });
    expect(c.cacheHitPercent).toEqual([75, 75, 75]);
  });

  it('a 10-minute run becomes 300 two-second buckets: rates over the bucket, the worst second of each percentile', () => {
    const points = syntheticTimeline(600, (s) =>
      s === 421 ? { requests: 40, ok: 10, errors: 30, errorsByKind: { TIMEOUT: 30 }, latencyMs: { p50: 900, p90: 1500, p99: 2000, max: 2100 }, cache: {} } : {},
    );
    const c = downsampleTimeline(points, 300);
    expect(c.bucketSeconds).toBe(2);
    expect(c.time).toHaveLength(300);
    expect(c.time[0]).toBe(1);
    // Seconds 421 and 422 share bucket 211 (index 210).
    expect(c.rps[210]).toBe(70);
    expect(c.errorsPerSecond[210]).toBe(15);
    expect(c.errorsByKind.TIMEOUT![210]).toBe(15);
    expect(c.errorsByKind.TIMEOUT![209]).toBe(0);
    expect(c.latencyMs.p99[210]).toBe(2000);
    expect(c.latencyMs.p50[211]).toBe(1);
    expect(c.cacheHitPercent[210]).toBe(75);
  });

  it('null cache ratio where no answer had an X-Cache-Status, and empty columns for an empty timeline', () => {
    expect(downsampleTimeline(syntheticTimeline(2, () => ({ cache: {} }))).cacheHitPercent).toEqual([null, null]);
    expect(downsampleTimeline([])).toMatchObject({ bucketSeconds: 1, time: [], endS: 0, rps: [] });
  });
});

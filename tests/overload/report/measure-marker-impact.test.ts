import { describe, expect, it } from 'vitest';
import { baselineP99, measureMarkerImpact } from '../../../src/overload/report/measure-marker-impact.js';
import { syntheticTimeline } from './synthetic-timeline.js';

const marker = (atMs: number, endsAtMs = atMs) => ({ atMs, endsAtMs, kind: 'kill-instance', target: 'product-2' });

describe('measureMarkerImpact', () => {
  it('counts the errors and the worst p99 until the next fault, and when the healthy seconds begin again', () => {
    // Fault at 10.2 s: errors in seconds 11–12 (10–12 s), slow in 13–14 (until 14 s); fault at 20.5 s: nothing visible.
    const points = syntheticTimeline(30, (s) =>
      s === 11 || s === 12
        ? { errors: 5, ok: 95, latencyMs: { p50: 3, p90: 50, p99: 300, max: 400 } }
        : s === 13 || s === 14
          ? { latencyMs: { p50: 2, p90: 6, p99: 20, max: 30 } }
          : {},
    );
    const [first, second] = measureMarkerImpact(points, [marker(10_200, 12_200), marker(20_500)]);
    expect(first).toEqual({ errors: 10, peakP99Ms: 300, recoveredAfterMs: 3800 });
    expect(second).toEqual({ errors: 0, peakP99Ms: 4, recoveredAfterMs: 0 });
  });

  it('null when the run is still unhealthy when the next fault comes, or the run ends', () => {
    const points = syntheticTimeline(10, (s) => (s >= 5 ? { errors: 1, ok: 99 } : {}));
    expect(measureMarkerImpact(points, [marker(4200)])[0]!.recoveredAfterMs).toBeNull();
  });

  it('the baseline is the median p99 of the seconds before the first fault', () => {
    const points = syntheticTimeline(6, (s) => ({ latencyMs: { p50: 1, p90: 1, p99: [3, 5, 4, 100, 100, 100][s - 1]!, max: 100 } }));
    expect(baselineP99(points, 3000)).toBe(4);
    expect(baselineP99(points, undefined)).toBe(100);
  });
});

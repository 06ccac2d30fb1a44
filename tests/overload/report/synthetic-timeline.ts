import type { TimelinePoint } from '../../../src/overload/record-timeline.js';

/** A timeline of `seconds` whole seconds; `shape(second)` overrides fields of each (1-based) second. */
export function syntheticTimeline(seconds: number, shape: (second: number) => Partial<TimelinePoint> = () => ({})): TimelinePoint[] {
  return Array.from({ length: seconds }, (_, i) => ({
    second: i + 1,
    startMs: i * 1000,
    endMs: (i + 1) * 1000,
    requests: 100,
    ok: 100,
    errors: 0,
    rps: 100,
    latencyMs: { p50: 1, p90: 2, p99: 4, max: 5 },
    errorsByKind: {},
    instances: { 'product-1': 50, 'product-2': 50 },
    cache: { HIT: 75, MISS: 25 },
    ...shape(i + 1),
  }));
}

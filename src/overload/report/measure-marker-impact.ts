import type { TimelinePoint } from '../record-timeline.js';
import type { ReportMarker } from './report-input.js';

/** What one fault did: errors and the worst p99 until the next fault, and when the run was healthy again. */
export interface MarkerImpact {
  errors: number;
  peakP99Ms: number;
  /** From the fault to the start of the healthy seconds that last until the next fault; null: not healthy again by then. */
  recoveredAfterMs: number | null;
}

/** The p99 of a normal second: the median per-second p99 before the first marker (or of the whole run without one). */
export function baselineP99(points: readonly TimelinePoint[], firstMarkerAtMs: number | undefined): number {
  const before = points.filter((p) => p.requests > 0 && (firstMarkerAtMs === undefined || p.endMs <= firstMarkerAtMs));
  const sample = (before.length ? before : points.filter((p) => p.requests > 0)).map((p) => p.latencyMs.p99).sort((a, b) => a - b);
  return sample.length ? sample[Math.floor(sample.length / 2)]! : 0;
}

/**
 * For each marker (sorted by time): its window runs until the next marker or the end of the run. A second is healthy
 * when it has no errors and its p99 is at most twice the baseline plus 1 ms; the fault is recovered from at the start
 * of the healthy seconds that close its window.
 */
export function measureMarkerImpact(points: readonly TimelinePoint[], markers: readonly ReportMarker[]): MarkerImpact[] {
  const sorted = [...markers].sort((a, b) => a.atMs - b.atMs);
  const baseline = baselineP99(points, sorted[0]?.atMs);
  const healthy = (p: TimelinePoint): boolean => p.errors === 0 && p.latencyMs.p99 <= baseline * 2 + 1;
  return markers.map((m) => {
    const next = sorted.find((x) => x.atMs > m.atMs)?.atMs ?? Number.POSITIVE_INFINITY;
    const window = points.filter((p) => p.endMs > m.atMs && p.startMs < next);
    let tail = window.length;
    while (tail > 0 && healthy(window[tail - 1]!)) tail--;
    const recoveredAfterMs = tail === window.length ? null : tail === 0 ? 0 : Math.max(0, window[tail]!.startMs - m.atMs);
    return {
      errors: window.reduce((n, p) => n + p.errors, 0),
      peakP99Ms: Math.max(0, ...window.map((p) => p.latencyMs.p99)),
      recoveredAfterMs,
    };
  });
}

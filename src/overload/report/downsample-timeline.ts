import type { TimelinePoint } from '../record-timeline.js';

/** Columns for the time charts, one value per bucket of whole seconds. */
export interface TimelineColumns {
  /** Seconds per bucket (1 unless the run was longer than `maxPoints` seconds). */
  bucketSeconds: number;
  /** The middle of each bucket, in seconds since the first measured request. */
  time: number[];
  /** Where the last bucket ends (the right edge of the time charts). */
  endS: number;
  rps: number[];
  errorsPerSecond: number[];
  latencyMs: { p50: number[]; p90: number[]; p99: number[]; max: number[] };
  /** Per error kind, per instance: per-second rates. */
  errorsByKind: Record<string, number[]>;
  instances: Record<string, number[]>;
  /** HIT share of answers with an `X-Cache-Status`, 0–100; null in buckets without any. */
  cacheHitPercent: Array<number | null>;
}

const one = (n: number): number => Math.round(n * 10) / 10;
const keysOf = (points: readonly TimelinePoint[], pick: (p: TimelinePoint) => Readonly<Record<string, number>>): string[] =>
  [...new Set(points.flatMap((p) => Object.keys(pick(p))))].sort();

/**
 * Groups the timeline into at most `maxPoints` buckets of whole seconds so that a long run stays light and readable.
 * Counts become rates over the bucket's length; a latency percentile is the worst second of its bucket, so a spike
 * stays visible at any zoom.
 */
export function downsampleTimeline(points: readonly TimelinePoint[], maxPoints = 300): TimelineColumns {
  const bucketSeconds = Math.max(1, Math.ceil(points.length / maxPoints));
  const kinds = keysOf(points, (p) => p.errorsByKind);
  const names = keysOf(points, (p) => p.instances);
  const out: TimelineColumns = {
    bucketSeconds,
    time: [],
    endS: (points.at(-1)?.endMs ?? 0) / 1000,
    rps: [],
    errorsPerSecond: [],
    latencyMs: { p50: [], p90: [], p99: [], max: [] },
    errorsByKind: Object.fromEntries(kinds.map((k) => [k, []])),
    instances: Object.fromEntries(names.map((k) => [k, []])),
    cacheHitPercent: [],
  };
  for (let i = 0; i < points.length; i += bucketSeconds) {
    const group = points.slice(i, i + bucketSeconds);
    const seconds = Math.max(0.001, (group.at(-1)!.endMs - group[0]!.startMs) / 1000);
    const sum = (read: (p: TimelinePoint) => number): number => group.reduce((n, p) => n + read(p), 0);
    const worst = (read: (p: TimelinePoint) => number): number => Math.max(...group.map(read));
    out.time.push(Math.round((group[0]!.startMs + group.at(-1)!.endMs) / 2) / 1000);
    out.rps.push(one(sum((p) => p.requests) / seconds));
    out.errorsPerSecond.push(one(sum((p) => p.errors) / seconds));
    for (const k of ['p50', 'p90', 'p99', 'max'] as const) out.latencyMs[k].push(worst((p) => p.latencyMs[k]));
    for (const k of kinds) out.errorsByKind[k]!.push(one(sum((p) => p.errorsByKind[k] ?? 0) / seconds));
    for (const k of names) out.instances[k]!.push(one(sum((p) => p.instances[k] ?? 0) / seconds));
    const cached = sum((p) => Object.values(p.cache).reduce((a, b) => a + b, 0));
    out.cacheHitPercent.push(cached ? one((sum((p) => p.cache.HIT ?? 0) / cached) * 100) : null);
  }
  return out;
}

import type { EndpointStats } from './collect-endpoint-stats.js';
import type { SpectrumPoint } from './latency-histogram.js';
import type { LoadSnapshot } from './load-snapshot.js';
import type { TimelinePoint } from './record-timeline.js';
import type { GeneratorLoad } from './sample-generator-load.js';

/** The JSON report of `ecom overload --json FILE` (docs/report-format.md). */
export interface LoadReport {
  requests: number;
  ok: number;
  errors: number;
  retries: number;
  byStatus: Record<string, number>;
  errorsByKind: Record<string, number>;
  rps: number;
  durationMs: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  instances: Record<string, number>;
  cache: Record<string, number>;
  thresholds: Array<{ expr: string; ok: boolean; actual: number }>;
  /** When the first measured request went, ISO 8601: the timeline's 0 (to line it up with other sources). */
  startedAt: string;
  /** Per kind of request: count, rps, percentiles, errors. */
  endpoints: readonly EndpointStats[];
  /** One entry per second of the run. */
  timeline: readonly TimelinePoint[];
  /** The HdrHistogram percentile spectrum of the whole run. */
  spectrum: readonly SpectrumPoint[];
  /** The generator's own CPU and event-loop lag, and whether it, not the target, was the bottleneck. */
  generator: GeneratorLoad;
}

/** Turns the final snapshot into the report (thresholds are checked by the caller). */
export function toReport(snapshot: LoadSnapshot): Omit<LoadReport, 'thresholds'> {
  return {
    requests: snapshot.completed,
    ok: snapshot.ok,
    errors: snapshot.errors,
    retries: snapshot.retries,
    byStatus: { ...snapshot.byStatus },
    errorsByKind: { ...snapshot.errorsByKind },
    rps: snapshot.averageRps,
    durationMs: snapshot.elapsedMs,
    startedAt: new Date(snapshot.startedAtMs).toISOString(),
    latencyMs: { ...snapshot.latencyMs },
    instances: { ...snapshot.instances },
    cache: { ...snapshot.cache },
    endpoints: snapshot.endpoints,
    timeline: snapshot.timeline,
    spectrum: snapshot.spectrum,
    generator: snapshot.generator,
  };
}

import type { EndpointStats } from './collect-endpoint-stats.js';
import type { SpectrumPoint } from './latency-histogram.js';
import type { TimelinePoint } from './record-timeline.js';
import type { GeneratorLoad } from './sample-generator-load.js';

/** What the load engine reports every second and at the end; frozen, shared by the dashboard, plain and JSON output. */
export interface LoadSnapshot {
  readonly final: boolean;
  readonly target: string;
  readonly scenario: string;
  readonly model: 'closed' | 'open';
  /** Wall-clock time (ms since the epoch) of the first measured request: where the timeline's 0 is. */
  readonly startedAtMs: number;
  readonly elapsedMs: number;
  /** Requests planned (closed model: N; open model: rate × duration). */
  readonly planned: number;
  readonly completed: number;
  readonly ok: number;
  readonly errors: number;
  readonly retries: number;
  readonly inFlight: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly errorsByKind: Readonly<Record<string, number>>;
  /** Completions in the last whole second. */
  readonly currentRps: number;
  readonly averageRps: number;
  /** Per-second completions, oldest first (at most the last 60). */
  readonly rpsHistory: readonly number[];
  readonly latencyMs: Readonly<{ p50: number; p90: number; p99: number; p999: number; max: number; mean: number }>;
  /** Responses by `X-Instance-Id`. */
  readonly instances: Readonly<Record<string, number>>;
  /** Responses by `X-Cache-Status` (HIT, MISS, BYPASS, ...). */
  readonly cache: Readonly<Record<string, number>>;
  readonly etaMs: number | null;
  /** One entry per second so far, oldest first (the last, partial second is added by the final snapshot). */
  readonly timeline: readonly TimelinePoint[];
  /** One entry per kind of request (scenario endpoint), by name. */
  readonly endpoints: readonly EndpointStats[];
  /** The HdrHistogram percentile spectrum of the whole run; empty except in the final snapshot. */
  readonly spectrum: readonly SpectrumPoint[];
  /** The generator's own load over the run so far (the whole run in the final snapshot). */
  readonly generator: GeneratorLoad;
  /** The generator's own load in the last second (live output). */
  readonly generatorNow: GeneratorLoad;
}

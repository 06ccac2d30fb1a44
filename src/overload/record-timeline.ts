import { createLatencyHistogram, latencyAt, recordLatency, roundMs } from './latency-histogram.js';
import { errorOf, type RequestOutcome } from './request-outcome.js';

/** One second of a run (the `timeline` of the report): what completed in it, by completion time. */
export interface TimelinePoint {
  /** 1-based: entry N covers the Nth second since the first measured request (the last one may be shorter). */
  readonly second: number;
  /** Where it starts and ends, in milliseconds since the first measured request. */
  readonly startMs: number;
  readonly endMs: number;
  readonly requests: number;
  readonly ok: number;
  readonly errors: number;
  /** Completions per second over this entry's own length, one decimal. */
  readonly rps: number;
  /** Latency percentiles of the requests completed in this second (zeros when none). */
  readonly latencyMs: Readonly<{ p50: number; p90: number; p99: number; max: number }>;
  readonly errorsByKind: Readonly<Record<string, number>>;
  /** Answers by `X-Instance-Id`. */
  readonly instances: Readonly<Record<string, number>>;
  /** Answers by `X-Cache-Status`. */
  readonly cache: Readonly<Record<string, number>>;
}

/** Collects outcomes into per-second points; `close(atMs)` ends the current second (the engine's once-a-second tick). */
export interface TimelineRecorder {
  record(outcome: RequestOutcome): void;
  /** Ends the current entry at `atMs`; `partial` (the end of the run) keeps it only when something completed in it. */
  close(atMs: number, partial: boolean): void;
  points(): readonly TimelinePoint[];
}

const bump = (map: Record<string, number>, key: string): void => {
  map[key] = (map[key] ?? 0) + 1;
};

/** A timeline recorder: one histogram reused second after second, so memory does not grow with the run's length. */
export function recordTimeline(): TimelineRecorder {
  const histogram = createLatencyHistogram();
  const points: TimelinePoint[] = [];
  let frozen: readonly TimelinePoint[] = Object.freeze([]);
  let startMs = 0;
  let requests = 0;
  let ok = 0;
  let errorsByKind: Record<string, number> = {};
  let instances: Record<string, number> = {};
  let cache: Record<string, number> = {};
  return {
    record(outcome) {
      requests++;
      recordLatency(histogram, outcome.latencyUs);
      const error = errorOf(outcome);
      if (error) bump(errorsByKind, error);
      else ok++;
      if (outcome.kind === 'response') {
        if (outcome.instance) bump(instances, outcome.instance);
        if (outcome.cache) bump(cache, outcome.cache);
      }
    },
    close(atMs, partial) {
      const endMs = Math.max(startMs, Math.round(atMs));
      if (!partial || requests > 0) {
        const seconds = (endMs - startMs) / 1000;
        points.push(
          Object.freeze({
            second: points.length + 1,
            startMs,
            endMs,
            requests,
            ok,
            errors: requests - ok,
            rps: seconds > 0 ? Math.round((requests / seconds) * 10) / 10 : 0,
            latencyMs: Object.freeze({
              p50: latencyAt(histogram, 50),
              p90: latencyAt(histogram, 90),
              p99: latencyAt(histogram, 99),
              max: requests > 0 ? roundMs(histogram.maxValue / 1000) : 0,
            }),
            errorsByKind: Object.freeze(errorsByKind),
            instances: Object.freeze(instances),
            cache: Object.freeze(cache),
          }),
        );
        frozen = Object.freeze([...points]);
      }
      histogram.reset();
      startMs = endMs;
      requests = 0;
      ok = 0;
      errorsByKind = {};
      instances = {};
      cache = {};
    },
    points: () => frozen,
  };
}

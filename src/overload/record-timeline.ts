import { latenciesAt, roundMs, type LatencyHistogram } from './latency-histogram.js';

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

/** The run's running totals at a tick, as the engine keeps them anyway. */
export interface RunTotals {
  completed: number;
  ok: number;
  errorsByKind: Readonly<Record<string, number>>;
  instances: Readonly<Record<string, number>>;
  cache: Readonly<Record<string, number>>;
}

/** What completed since the last tick: the latencies and the largest one, exact (whole microseconds). */
export interface SecondLatencies {
  histogram: LatencyHistogram;
  maxUs: number;
}

/**
 * Turns the running totals into per-second points; `close` ends the current second (the engine's once-a-second
 * tick). Nothing is recorded per request here: each entry is the difference between two ticks' totals.
 */
export interface TimelineRecorder {
  /** Ends the current entry at `atMs`; `partial` (the end of the run) keeps it only when something completed in it. */
  close(atMs: number, partial: boolean, totals: RunTotals, latencies: SecondLatencies): void;
  points(): readonly TimelinePoint[];
}

/** `now − before` per key, without the keys that did not change. */
function difference(now: Readonly<Record<string, number>>, before: Readonly<Record<string, number>>): Readonly<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(now)) if (n !== (before[key] ?? 0)) out[key] = n - (before[key] ?? 0);
  return Object.freeze(out);
}

/** A timeline recorder: one small frozen entry a second, so memory grows by little with the run's length. */
export function recordTimeline(): TimelineRecorder {
  const points: TimelinePoint[] = [];
  let frozen: readonly TimelinePoint[] = Object.freeze([]);
  let startMs = 0;
  let before: RunTotals = { completed: 0, ok: 0, errorsByKind: {}, instances: {}, cache: {} };
  return {
    close(atMs, partial, totals, latencies) {
      const endMs = Math.max(startMs, Math.round(atMs));
      const requests = totals.completed - before.completed;
      if (!partial || requests > 0) {
        const ok = totals.ok - before.ok;
        const seconds = (endMs - startMs) / 1000;
        // As the histograms record it: whole microseconds, at least 1.
        const maxUs = Math.max(1, Math.round(latencies.maxUs));
        const [p50 = 0, p90 = 0, p99 = 0] = latencies.histogram.totalCount > 0 ? latenciesAt(latencies.histogram, [50, 90, 99], maxUs) : [];
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
              p50,
              p90,
              p99,
              max: requests > 0 ? roundMs(maxUs / 1000) : 0,
            }),
            errorsByKind: difference(totals.errorsByKind, before.errorsByKind),
            instances: difference(totals.instances, before.instances),
            cache: difference(totals.cache, before.cache),
          }),
        );
        frozen = Object.freeze([...points]);
      }
      startMs = endMs;
      before = { ...totals, errorsByKind: { ...totals.errorsByKind }, instances: { ...totals.instances }, cache: { ...totals.cache } };
    },
    points: () => frozen,
  };
}

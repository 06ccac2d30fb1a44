import * as hdr from 'hdr-histogram-js';

/** An HdrHistogram of latencies in microseconds (3 significant digits, up to 10 minutes). */
export type LatencyHistogram = hdr.Histogram;

/** The percentiles the engine reports, in milliseconds. */
export interface LatencyMs {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

const US_PER_MS = 1000;
/** Milliseconds with microsecond resolution. */
export const roundMs = (ms: number): number => Math.round(ms * 1000) / 1000;

/** A fresh latency histogram; every collector of the engine uses the same bounds, so their figures compare. */
export function createLatencyHistogram(): LatencyHistogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
}

/** Records one latency (microseconds, at least 1). */
export function recordLatency(h: LatencyHistogram, latencyUs: number): void {
  h.recordValue(Math.max(1, Math.min(600_000_000, Math.round(latencyUs))));
}

/**
 * Percentile `p` in milliseconds, 0 when empty. A percentile is the upper bound of its HdrHistogram bucket, which can
 * exceed the largest value recorded: it is clamped to the max (`maxUs` when the histogram's own is approximate).
 */
export function latencyAt(h: LatencyHistogram, p: number, maxUs = h.maxValue): number {
  return h.totalCount > 0 ? roundMs(Math.min(h.getValueAtPercentile(p), maxUs) / US_PER_MS) : 0;
}

/** The percentiles of a summary, in the order they are reached. */
const SUMMARY_PERCENTILES = [50, 90, 99, 99.9] as const;

/**
 * The standard set of percentiles, the max and the mean of a histogram, in milliseconds (zeros when empty). One pass
 * over the buckets gives what `getValueAtPercentile` (one scan per percentile) and `mean` (an iterator object per
 * bucket) give, the same figures to the bit; a summary is taken for every endpoint every second.
 */
export function latencySummary(h: LatencyHistogram): LatencyMs {
  const total = h.totalCount;
  if (total === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  const js = h as unknown as hdr.JsHistogram;
  // As getValueAtPercentile counts: the rank of percentile p is p% of the count rounded up (less one ulp), at least 1.
  const ranks = SUMMARY_PERCENTILES.map((p) => {
    const fp = (p / 100) * total;
    return Math.max(Math.ceil(fp - 2 ** (Math.floor(Math.log2(fp)) - 52)), 1);
  });
  const at: number[] = [];
  let seen = 0;
  let sum = 0;
  for (let i = 0; i < js.countsArrayLength; i++) {
    const n = js.getCountAtIndex(i);
    if (n === 0) continue;
    const value = js.valueFromIndex(i);
    seen += n;
    sum += js.medianEquivalentValue(value) * n;
    while (at.length < ranks.length && seen >= ranks[at.length]!) at.push(js.highestEquivalentValue(value));
  }
  const ms = (us: number | undefined): number => roundMs(Math.min(us ?? 0, h.maxValue) / US_PER_MS);
  return { p50: ms(at[0]), p90: ms(at[1]), p99: ms(at[2]), p999: ms(at[3]), max: roundMs(h.maxValue / US_PER_MS), mean: roundMs(sum / total / US_PER_MS) };
}

/** One point of the percentile spectrum: the latency below which `percentile` % of the requests completed. */
export interface SpectrumPoint {
  percentile: number;
  latencyMs: number;
}

/**
 * The HdrHistogram percentile spectrum (as wrk2 prints it): percentiles at 1 − 1/2^(k/4), i.e. 0, 15.9, 29.3, … 50,
 * … 75, … 99, … 99.9 …, up to the last recorded value (100), so the tail gets as many points as the body.
 */
export function latencySpectrum(h: LatencyHistogram): SpectrumPoint[] {
  if (h.totalCount === 0) return [];
  const points: SpectrumPoint[] = [];
  // Beyond 1/count the percentiles repeat the max: stop there (and never past 99.9999).
  const last = Math.min(1 - 1 / h.totalCount, 0.999999);
  for (let k = 0; ; k++) {
    const fraction = 1 - 1 / 2 ** (k / 4);
    if (fraction > last) break;
    points.push({ percentile: Math.round(fraction * 100 * 10_000) / 10_000, latencyMs: latencyAt(h, fraction * 100) });
  }
  points.push({ percentile: 100, latencyMs: roundMs(h.maxValue / US_PER_MS) });
  return points;
}

/** A histogram's non-empty buckets as plain numbers (a worker thread posts them), with its exact largest value. */
export interface LatencyCounts {
  /** Parallel arrays: each bucket's lowest value (µs) and its count. */
  values: number[];
  counts: number[];
  maxUs: number;
}

/** Adds exported buckets: the same counts in the same buckets as recording each latency here (the max stays exact). */
export function addLatencyCounts(h: LatencyHistogram, c: LatencyCounts): void {
  for (let i = 0; i < c.values.length; i++) h.recordValueWithCount(c.values[i]!, c.counts[i]!);
  const js = h as unknown as hdr.JsHistogram;
  if (c.values.length > 0 && c.maxUs > js.maxValue) js.maxValue = c.maxUs;
}

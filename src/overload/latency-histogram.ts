/** Latency percentiles of a run (or a second of it) in milliseconds, three decimals. */
export interface LatencyMs {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** One point of the percentile spectrum (the report's `spectrum`): the latency at or below which `percentile` % fall. */
export interface SpectrumPoint {
  percentile: number;
  latencyMs: number;
}

/** A histogram's non-empty buckets as plain data (what a worker thread hands over), with the exact largest value. */
export interface LatencyCounts {
  indexes: number[];
  counts: number[];
  maxUs: number;
}

const US_PER_MS = 1000;
/** Microseconds, up to 10 minutes, 3 significant digits: HdrHistogram's layout for (1, 600_000_000, 3). */
const MAX_US = 600_000_000;
/** log2 of half a bucket's sub-buckets (2,048 sub-buckets hold 3 significant digits). */
const HALF_MAGNITUDE = 10;
const HALF_COUNT = 1 << HALF_MAGNITUDE;
/** 20 buckets reach past MAX_US; HdrHistogram keeps (buckets + 1) × half a bucket of counts. */
const COUNTS_LENGTH = 21 * HALF_COUNT;

export const roundMs = (ms: number): number => Math.round(ms * 1000) / 1000;

/** The bucket (a power of two: each index in it covers 2^bucket µs) of a counts index. */
const bucketOfIndex = (i: number): number => Math.max(0, (i >> HALF_MAGNITUDE) - 1);
/** The lowest value a counts index holds. */
const lowestAt = (i: number): number => {
  const bucket = bucketOfIndex(i);
  return (i - (bucket << HALF_MAGNITUDE)) * 2 ** bucket;
};
/** The highest value a counts index holds (what HdrHistogram reports for a percentile that lands in it). */
const highestAt = (i: number): number => lowestAt(i) + 2 ** bucketOfIndex(i) - 1;
/** The value HdrHistogram's mean takes for everything counted at an index. */
const medianAt = (i: number): number => lowestAt(i) + Math.floor(2 ** bucketOfIndex(i) / 2);

/**
 * Latencies in microseconds, counted in HdrHistogram's buckets (its exact layout and percentile rules, so figures
 * match HdrHistogram's to the bit: tested against hdr-histogram-js), at a few integer operations per value. It keeps
 * the range of indexes it has touched, so adding one histogram to another, resetting it and reading percentiles go
 * over a few thousand counts, not all 21,504: the engine does that every second, in the thread that sends the load.
 */
export class LatencyHistogram {
  readonly counts = new Float64Array(COUNTS_LENGTH);
  totalCount = 0;
  /** The largest value recorded, exact (whole µs). */
  maxValue = 0;
  private low = COUNTS_LENGTH;
  private high = -1;

  /** Counts one latency: whole microseconds, at least 1, at most 10 minutes. */
  record(latencyUs: number): void {
    const v = latencyUs >= MAX_US ? MAX_US : latencyUs < 1 ? 1 : Math.round(latencyUs);
    // bucket = max(0, floor(log2 v) − HALF_MAGNITUDE); index = bucket × half + (v >> bucket), as HdrHistogram's.
    const bucket = Math.max(0, 31 - Math.clz32(v) - HALF_MAGNITUDE);
    const i = (bucket << HALF_MAGNITUDE) + (v >>> bucket);
    this.counts[i]!++;
    this.totalCount++;
    if (v > this.maxValue) this.maxValue = v;
    if (i < this.low) this.low = i;
    if (i > this.high) this.high = i;
  }

  /** Adds `n` counts at index `i` (another histogram's bucket). */
  addAt(i: number, n: number): void {
    this.counts[i]! += n;
    this.totalCount += n;
    if (i < this.low) this.low = i;
    if (i > this.high) this.high = i;
  }

  /** Adds everything `other` holds, exactly. */
  add(other: LatencyHistogram): void {
    const from = other.counts;
    for (let i = other.low; i <= other.high; i++) {
      const n = from[i]!;
      if (n !== 0) this.addAt(i, n);
    }
    if (other.maxValue > this.maxValue) this.maxValue = other.maxValue;
  }

  /** Adds what a worker thread handed over (`drain`). */
  addCounts(c: LatencyCounts): void {
    for (let k = 0; k < c.indexes.length; k++) this.addAt(c.indexes[k]!, c.counts[k]!);
    if (c.indexes.length > 0 && c.maxUs > this.maxValue) this.maxValue = c.maxUs;
  }

  /** The non-empty buckets as plain data, then empty. */
  drain(): LatencyCounts {
    const out: LatencyCounts = { indexes: [], counts: [], maxUs: this.maxValue };
    for (let i = this.low; i <= this.high; i++) {
      const n = this.counts[i]!;
      if (n === 0) continue;
      out.indexes.push(i);
      out.counts.push(n);
    }
    this.reset();
    return out;
  }

  reset(): void {
    if (this.high >= this.low) this.counts.fill(0, this.low, this.high + 1);
    this.totalCount = 0;
    this.maxValue = 0;
    this.low = COUNTS_LENGTH;
    this.high = -1;
  }

  /** The index at which the running count first reaches each of `ranks` (ascending), in one pass. */
  indexesAtRanks(ranks: readonly number[]): number[] {
    const at: number[] = [];
    let seen = 0;
    for (let i = this.low; i <= this.high && at.length < ranks.length; i++) {
      seen += this.counts[i]!;
      while (at.length < ranks.length && seen >= ranks[at.length]!) at.push(i);
    }
    return at;
  }

  /** The sum HdrHistogram's mean divides: each bucket's median-equivalent value times its count. */
  medianWeightedSum(): number {
    let sum = 0;
    for (let i = this.low; i <= this.high; i++) {
      const n = this.counts[i]!;
      if (n !== 0) sum += medianAt(i) * n;
    }
    return sum;
  }
}

/** HdrHistogram's rank of percentile p among `total` values: p % of the count rounded up (less one ulp), at least 1. */
function rankOf(p: number, total: number): number {
  const fp = (Math.min(p, 100) / 100) * total;
  return fp <= 0 ? 1 : Math.max(Math.ceil(fp - 2 ** (Math.floor(Math.log2(fp)) - 52)), 1);
}

/** The latencies (ms) at percentiles `ps` (ascending), in one pass; none above `maxUs`. */
export function latenciesAt(h: LatencyHistogram, ps: readonly number[], maxUs: number): number[] {
  const indexes = h.indexesAtRanks(ps.map((p) => rankOf(p, h.totalCount)));
  // HdrHistogram answers percentile 0 with the bucket's lowest value, any other with its highest.
  return indexes.map((i, k) => roundMs(Math.min(ps[k] === 0 ? lowestAt(i) : highestAt(i), maxUs) / US_PER_MS));
}

const SUMMARY_PERCENTILES = [50, 90, 99, 99.9] as const;

/** p50/p90/p99/p99.9, max and mean (ms), exactly as HdrHistogram computes them, in one pass over the buckets. */
export function latencySummary(h: LatencyHistogram): LatencyMs {
  const total = h.totalCount;
  if (total === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  const sum = h.medianWeightedSum();
  const [p50 = 0, p90 = 0, p99 = 0, p999 = 0] = latenciesAt(h, SUMMARY_PERCENTILES, h.maxValue);
  return { p50, p90, p99, p999, max: roundMs(h.maxValue / US_PER_MS), mean: roundMs(sum / total / US_PER_MS) };
}

/**
 * The percentile spectrum for latency-vs-percentile charts: points at 1 − 2^(−k/4) (0, 15.9, 29.3, 40.5, 50, …,
 * 99.9, 99.99, …) while the run has enough requests to tell them apart, then 100 (the max).
 */
export function latencySpectrum(h: LatencyHistogram): SpectrumPoint[] {
  if (h.totalCount === 0) return [];
  const percentiles: number[] = [];
  // Beyond 1/count the percentiles repeat the max: stop there (and never past 99.9999).
  const last = Math.min(1 - 1 / h.totalCount, 0.999999);
  for (let k = 0; ; k++) {
    const fraction = 1 - 1 / 2 ** (k / 4);
    if (fraction > last) break;
    percentiles.push(fraction * 100);
  }
  const values = latenciesAt(h, percentiles, h.maxValue);
  const points = percentiles.map((p, k) => ({ percentile: Math.round(p * 10_000) / 10_000, latencyMs: values[k] ?? 0 }));
  points.push({ percentile: 100, latencyMs: roundMs(h.maxValue / US_PER_MS) });
  return points;
}

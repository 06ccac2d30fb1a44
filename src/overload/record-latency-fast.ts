import type * as hdr from 'hdr-histogram-js';
import { createLatencyHistogram, type LatencyCounts, type LatencyHistogram } from './latency-histogram.js';

/** The bounds of createLatencyHistogram (1 µs to 10 min, 3 significant digits), read from one such histogram. */
const REFERENCE = createLatencyHistogram() as unknown as hdr.JsHistogram;
const COUNTS_LENGTH = REFERENCE.countsArrayLength;
/** log2 of half the sub-buckets of a bucket (1,024 for 3 significant digits). */
const HALF_MAGNITUDE = Math.log2(REFERENCE.subBucketCount) - 1;
const MAX_US = 600_000_000;

/**
 * Latencies counted in the buckets of a latency histogram, at a few integer operations each (hdr-histogram-js spends
 * a log2 and two powers per value: the largest cost of counting a request), handed over to a real histogram once a
 * second. The same value lands in the same bucket as `recordLatency` puts it (tests/overload/record-latency-fast.test.ts),
 * and the largest value is kept exactly, so the histogram it is added to reads as if each latency had been recorded there.
 */
export class FastLatencyRecorder {
  private readonly counts = new Uint32Array(COUNTS_LENGTH);
  private used = 0;
  private maxUs = 0;

  /** Counts one latency (microseconds, clamped to 1 µs – 10 min and rounded, as recordLatency does). */
  record(latencyUs: number): void {
    const v = latencyUs >= MAX_US ? MAX_US : latencyUs < 1 ? 1 : Math.round(latencyUs);
    // bucket = max(0, floor(log2 v) - HALF_MAGNITUDE); index = bucket * half + (v >> bucket), as HdrHistogram's.
    const bucket = Math.max(0, 31 - Math.clz32(v) - HALF_MAGNITUDE);
    this.counts[(bucket << HALF_MAGNITUDE) + (v >>> bucket)]!++;
    this.used++;
    if (v > this.maxUs) this.maxUs = v;
  }

  /** Latencies counted since the last hand-over. */
  count(): number {
    return this.used;
  }

  /** Adds what was counted to each of `histograms` (their max made exact) and starts afresh. */
  flushInto(...histograms: LatencyHistogram[]): void {
    if (this.used === 0) return;
    const counts = this.counts;
    for (let i = 0; i < COUNTS_LENGTH; i++) {
      const n = counts[i]!;
      if (n === 0) continue;
      const value = REFERENCE.valueFromIndex(i);
      for (const h of histograms) h.recordValueWithCount(value, n);
      counts[i] = 0;
    }
    for (const h of histograms) {
      const js = h as unknown as hdr.JsHistogram;
      if (this.maxUs > js.maxValue) js.maxValue = this.maxUs;
    }
    this.used = 0;
    this.maxUs = 0;
  }

  /** What was counted as plain buckets (a worker thread posts them, see addLatencyCounts), then starts afresh. */
  drain(): LatencyCounts {
    const values: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < COUNTS_LENGTH && this.used > 0; i++) {
      const n = this.counts[i]!;
      if (n === 0) continue;
      values.push(REFERENCE.valueFromIndex(i));
      counts.push(n);
      this.counts[i] = 0;
    }
    const out = { values, counts, maxUs: this.maxUs };
    this.used = 0;
    this.maxUs = 0;
    return out;
  }
}

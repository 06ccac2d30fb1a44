import type * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { addLatencyCounts, createLatencyHistogram, latencySummary, recordLatency, type LatencyHistogram } from '../../src/overload/latency-histogram.js';
import { FastLatencyRecorder } from '../../src/overload/record-latency-fast.js';

/** Every bucket's count, as HdrHistogram indexes them. */
const bucketsOf = (h: LatencyHistogram): number[] => {
  const js = h as unknown as hdr.JsHistogram;
  return Array.from({ length: js.countsArrayLength }, (_, i) => js.getCountAtIndex(i));
};

/** Values around every power of two and bucket edge, sub-microsecond ones, fractions, and beyond the 10-minute bound. */
function awkwardValues(): number[] {
  const values = [0, 0.2, 0.5, 0.7, 1, 1.5, 2.5, 599_999_999.6, 600_000_000, 700_000_000];
  for (let k = 0; k < 30; k++) for (const d of [-1.5, -1, -0.4, 0, 0.4, 1, 3]) values.push(2 ** k + d);
  let seed = 7;
  for (let i = 0; i < 5000; i++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    values.push((seed / 2 ** 31) ** 4 * 900_000_000); // many small values, some huge
  }
  return values.filter((v) => v >= 0);
}

describe('the fast latency recorder', () => {
  it('puts every value in the bucket HdrHistogram puts it, keeps the exact max, and hands over counts as they were', () => {
    const values = awkwardValues();
    const reference = createLatencyHistogram();
    const fast = new FastLatencyRecorder();
    for (const v of values) {
      recordLatency(reference, v);
      fast.record(v);
    }
    expect(fast.count()).toBe(values.length);
    const flushed = createLatencyHistogram();
    fast.flushInto(flushed);
    expect(fast.count()).toBe(0);
    expect(bucketsOf(flushed)).toEqual(bucketsOf(reference));
    expect(flushed.totalCount).toBe(values.length);
    expect(flushed.maxValue).toBe(reference.maxValue);
    expect(latencySummary(flushed)).toEqual(latencySummary(reference));

    // Drained as plain buckets (a worker thread's report) and added elsewhere: the same histogram again.
    for (const v of values) fast.record(v);
    const added = createLatencyHistogram();
    addLatencyCounts(added, fast.drain());
    expect(bucketsOf(added)).toEqual(bucketsOf(reference));
    expect(latencySummary(added)).toEqual(latencySummary(reference));
    expect(fast.drain()).toEqual({ values: [], counts: [], maxUs: 0 });
  });

  it('adds to what each histogram already holds', () => {
    const h = createLatencyHistogram();
    recordLatency(h, 5000);
    const fast = new FastLatencyRecorder();
    const second = createLatencyHistogram();
    fast.record(1200);
    fast.record(1200.4);
    fast.flushInto(h, second);
    expect(h.totalCount).toBe(3);
    expect(h.maxValue).toBe(5000);
    expect(latencySummary(h).p50).toBe(1.2);
    // Every histogram given gets the same counts, its max made exact.
    expect(second.totalCount).toBe(2);
    expect(second.maxValue).toBe(1200);
  });
});

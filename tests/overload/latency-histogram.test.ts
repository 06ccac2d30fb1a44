import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram, latenciesAt, latencySpectrum, latencySummary, roundMs } from '../../src/overload/latency-histogram.js';

/** The reference: hdr-histogram-js with the layout ecom's histogram copies (µs, up to 10 minutes, 3 digits). */
const reference = (): hdr.JsHistogram =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 }) as unknown as hdr.JsHistogram;
const recordBoth = (ours: LatencyHistogram, theirs: hdr.JsHistogram, us: number): void => {
  ours.record(us);
  theirs.recordValue(Math.max(1, Math.min(600_000_000, Math.round(us))));
};
const ms = (us: number): number => roundMs(us / 1000);
/** HdrHistogram's value at a percentile, never above the exact max (ecom reports none above it). */
const hdrAt = (h: hdr.JsHistogram, p: number): number => ms(Math.min(h.getValueAtPercentile(p), h.maxValue));
/** HdrHistogram's own summary: a scan per percentile and its mean iterator. */
const hdrSummary = (h: hdr.JsHistogram) => ({
  p50: hdrAt(h, 50),
  p90: hdrAt(h, 90),
  p99: hdrAt(h, 99),
  p999: hdrAt(h, 99.9),
  max: ms(h.maxValue),
  mean: ms(h.mean),
});
const bucketsOf = (h: hdr.JsHistogram): number[] => Array.from({ length: h.countsArrayLength }, (_, i) => h.getCountAtIndex(i));

function seeded(seed: number): () => number {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

/** Values around every power of two and bucket edge, sub-microsecond ones, fractions, and beyond the 10-minute bound. */
function awkwardValues(): number[] {
  const values = [0, 0.2, 0.5, 0.7, 1, 1.5, 2.5, 599_999_999.6, 600_000_000, 700_000_000];
  for (let k = 0; k < 30; k++) for (const d of [-1.5, -1, -0.4, 0, 0.4, 1, 3]) values.push(2 ** k + d);
  const random = seeded(7);
  for (let i = 0; i < 5000; i++) values.push(random() ** 4 * 900_000_000); // many small values, some huge
  return values.filter((v) => v >= 0);
}

describe('the latency histogram', () => {
  it('counts every value in the bucket HdrHistogram counts it in, and keeps the exact max', () => {
    const ours = new LatencyHistogram();
    const theirs = reference();
    const values = awkwardValues();
    for (const v of values) recordBoth(ours, theirs, v);
    expect(Array.from(ours.counts)).toEqual(bucketsOf(theirs));
    expect(ours.totalCount).toBe(values.length);
    expect(ours.maxValue).toBe(theirs.maxValue);
  });

  it('gives HdrHistogram’s own percentiles, max, mean and spectrum, to the bit, whatever the counts', () => {
    const random = seeded(11);
    for (const size of [1, 2, 3, 7, 10, 99, 100, 1000, 1001, 25_000]) {
      const ours = new LatencyHistogram();
      const theirs = reference();
      for (let i = 0; i < size; i++) recordBoth(ours, theirs, random() < 0.9 ? 500 + random() * 20_000 : random() ** 3 * 5_000_000);
      expect(latencySummary(ours)).toEqual(hdrSummary(theirs));
      for (const p of [0, 1, 33.3, 75, 99.99, 100]) expect(latenciesAt(ours, [p], ours.maxValue)).toEqual([hdrAt(theirs, p)]);
      const spectrum = latencySpectrum(ours);
      for (const point of spectrum.slice(0, -1)) expect(point.latencyMs).toBe(hdrAt(theirs, point.percentile));
      expect(spectrum.at(-1)).toEqual({ percentile: 100, latencyMs: ms(theirs.maxValue) });
    }
  });

  it('is all zeros when empty, and the one value when it holds one', () => {
    expect(latencySummary(new LatencyHistogram())).toEqual({ p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 });
    expect(latencySpectrum(new LatencyHistogram())).toEqual([]);
    const one = new LatencyHistogram();
    one.record(12_345);
    expect(latencySummary(one)).toMatchObject({ p50: 12.345, p999: 12.345, max: 12.345 });
  });

  it('adds, hands over and empties exactly: what a second or a worker thread counted ends where it was counted', () => {
    const values = awkwardValues();
    const direct = new LatencyHistogram();
    const run = new LatencyHistogram();
    run.record(5000);
    direct.record(5000);
    const second = new LatencyHistogram();
    for (const v of values) second.record(v);
    for (const v of values) direct.record(v);
    run.add(second);
    expect(Array.from(run.counts)).toEqual(Array.from(direct.counts));
    expect(run.totalCount).toBe(direct.totalCount);
    expect(run.maxValue).toBe(direct.maxValue);
    expect(latencySummary(run)).toEqual(latencySummary(direct));

    // A worker's buckets as plain data, then empty (and reused).
    const handed = second.drain();
    expect(second.totalCount).toBe(0);
    expect(second.counts.every((n) => n === 0)).toBe(true);
    expect(latencySummary(second)).toEqual(latencySummary(new LatencyHistogram()));
    const elsewhere = new LatencyHistogram();
    elsewhere.record(5000);
    elsewhere.addCounts(handed);
    expect(Array.from(elsewhere.counts)).toEqual(Array.from(direct.counts));
    expect(elsewhere.maxValue).toBe(direct.maxValue);
    expect(second.drain()).toEqual({ indexes: [], counts: [], maxUs: 0 });
    second.record(1200);
    second.record(1200.4);
    expect(latencySummary(second)).toMatchObject({ p50: 1.2, max: 1.2 });

    // A smaller histogram added keeps the larger max.
    const small = new LatencyHistogram();
    small.record(10);
    run.add(small);
    expect(run.maxValue).toBe(direct.maxValue);
  });
});

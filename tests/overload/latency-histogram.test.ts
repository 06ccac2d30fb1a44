import { describe, expect, it } from 'vitest';
import { createLatencyHistogram, latencyAt, latencySummary, recordLatency, roundMs, type LatencyHistogram } from '../../src/overload/latency-histogram.js';

/** The summary as HdrHistogram itself computes it: a scan per percentile and its mean iterator. */
const hdrSummary = (h: LatencyHistogram) => ({
  p50: latencyAt(h, 50),
  p90: latencyAt(h, 90),
  p99: latencyAt(h, 99),
  p999: latencyAt(h, 99.9),
  max: roundMs(h.maxValue / 1000),
  mean: roundMs(h.mean / 1000),
});

describe('the latency summary, in one pass over the buckets', () => {
  it('gives HdrHistogram’s own percentiles, max and mean, to the bit, whatever the counts', () => {
    let seed = 11;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const size of [1, 2, 3, 7, 10, 99, 100, 1000, 1001, 25_000]) {
      const h = createLatencyHistogram();
      for (let i = 0; i < size; i++) recordLatency(h, random() < 0.9 ? 500 + random() * 20_000 : random() ** 3 * 5_000_000);
      expect(latencySummary(h)).toEqual(hdrSummary(h));
    }
  });

  it('is all zeros for an empty histogram, and the one value for a single one', () => {
    expect(latencySummary(createLatencyHistogram())).toEqual({ p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 });
    const one = createLatencyHistogram();
    recordLatency(one, 12_345);
    expect(latencySummary(one)).toMatchObject({ p50: 12.345, p999: 12.345, max: 12.345 });
  });
});

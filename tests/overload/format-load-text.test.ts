import type { EndpointStats } from '../../src/overload/collect-endpoint-stats.js';
import { describe, expect, it } from 'vitest';
import { formatProgressLine, formatSummary } from '../../src/overload/format-load-text.js';
import type { LoadReport } from '../../src/overload/load-report.js';
import { toReport } from '../../src/overload/load-report.js';
import type { LoadSnapshot } from '../../src/overload/load-snapshot.js';

const idle = { cpuPercent: 12, eventLoopLagMs: { p50: 0, p99: 1.2, max: 3 }, saturated: false };
const snapshot = (over: Partial<LoadSnapshot> = {}): LoadSnapshot =>
  Object.freeze({
    final: false,
    target: 'http://127.0.0.1:8080',
    scenario: 'product',
    model: 'closed',
    startedAtMs: 1_767_225_600_000,
    elapsedMs: 2000,
    planned: 1000,
    completed: 400,
    ok: 396,
    errors: 4,
    retries: 2,
    inFlight: 8,
    byStatus: { '200': 396, '503': 4 },
    errorsByKind: { HTTP_503: 4 },
    currentRps: 210,
    averageRps: 200,
    rpsHistory: [190, 210],
    latencyMs: { p50: 1.5, p90: 3, p99: 9.25, p999: 20, max: 31, mean: 2 },
    instances: { 'product-2': 100, 'product-1': 300 },
    cache: { HIT: 300, MISS: 100 },
    etaMs: 3000,
    timeline: [],
    endpoints: [],
    spectrum: [],
    generator: idle,
    generatorNow: idle,
    ...over,
  });

describe('plain-text output', () => {
  it('one progress line: elapsed seconds, count/planned and percent, rps, p50, p99, errors, retries', () => {
    expect(formatProgressLine(snapshot())).toBe('[  2s] 400/1000   40%  rps 210  p50 1.5ms  p99 9.25ms  errors 4  retries 2');
  });

  it('a summary with requests, throughput, latency, statuses, errors by kind, instances, cache ratio and verdicts', () => {
    const s = snapshot({ final: true, completed: 400, elapsedMs: 2000 });
    const report: LoadReport = { ...toReport(s), thresholds: [{ expr: 'p99<5', ok: false, actual: 9.25 }] };
    const lines = formatSummary(s, report).trimEnd().split('\n');
    expect(lines).toEqual([
      'closed model · product · http://127.0.0.1:8080',
      'requests 400  ok 396  errors 4 (1%)  retries 2',
      'throughput 200 req/s over 2.00 s',
      'latency ms  p50 1.5  p90 3  p99 9.25  p99.9 20  max 31  mean 2',
      'status      200×396  503×4',
      'errors      HTTP_503×4',
      'instances   product-1 75%  product-2 25%',
      'gateway cache hit ratio 75% (HIT×300 MISS×100)',
      'generator   cpu 12% of a core  event-loop lag ms p50 0  p99 1.2  max 3',
      'threshold FAILED p99<5 (actual 9.25)',
    ]);
  });

  it('a per-endpoint table in the summary: count, rps, percentiles, errors, one aligned row per endpoint', () => {
    const latencyMs = { p50: 1, p90: 2, p99: 30.5, p999: 40, max: 41, mean: 3 };
    const endpoints: EndpointStats[] = [
      { name: 'checkout', requests: 40, ok: 36, errors: 4, rps: 20, latencyMs, errorsByKind: { HTTP_409: 4 } },
      { name: 'product', requests: 360, ok: 360, errors: 0, rps: 180, latencyMs: { ...latencyMs, p99: 2.25 }, errorsByKind: {} },
    ];
    const s = snapshot({ final: true, endpoints });
    const lines = formatSummary(s, { ...toReport(s), thresholds: [] })
      .trimEnd()
      .split('\n');
    const table = lines.slice(lines.findIndex((l) => l.includes('endpoint')));
    expect(table).toEqual([
      '  endpoint  requests  rps  p50  p90   p99  max   errors',
      '  checkout        40   20    1    2  30.5   41  4 (10%)',
      '  product        360  180    1    2  2.25   41        0',
    ]);
  });

  it('says plainly when the generator was the bottleneck: in the per-second line and in the summary', () => {
    const busy = { cpuPercent: 99, eventLoopLagMs: { p50: 12, p99: 48, max: 90 }, saturated: true };
    expect(formatProgressLine(snapshot({ generatorNow: busy }))).toMatch(/\[generator saturated: cpu 99%, lag p99 48ms\]$/);
    const s = snapshot({ final: true, generator: busy });
    const summary = formatSummary(s, { ...toReport(s), thresholds: [] });
    expect(summary).toContain('generator   cpu 99% of a core  event-loop lag ms p50 12  p99 48  max 90\nGENERATOR SATURATED: ecom itself, not the target');
    expect(formatSummary(snapshot({ final: true }), { ...toReport(snapshot()), thresholds: [] })).not.toContain('SATURATED');
  });
});

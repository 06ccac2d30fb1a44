import { describe, expect, it } from 'vitest';
import { buildReportData } from '../../../src/overload/report/build-report-data.js';
import { serverSeriesGroup, type HtmlReportInput } from '../../../src/overload/report/report-input.js';
import { syntheticTimeline } from './synthetic-timeline.js';

const input = (over: Partial<HtmlReportInput> = {}): HtmlReportInput => ({
  title: 'ecom overload',
  subtitle: 'test',
  generatedAt: '2026-01-01T00:00:00.000Z',
  load: {
    requests: 300,
    ok: 300,
    errors: 0,
    retries: 0,
    byStatus: { '200': 300 },
    errorsByKind: {},
    rps: 100,
    durationMs: 3000,
    startedAt: '2026-01-01T00:00:00.000Z',
    generator: { cpuPercent: 20, eventLoopLagMs: { p50: 0, p99: 1, max: 2 }, saturated: false },
    latencyMs: { p50: 1, p90: 2, p99: 4, p999: 5, max: 5, mean: 1.2 },
    instances: { 'product-1': 150, 'product-2': 150 },
    cache: { HIT: 225, MISS: 75 },
    endpoints: [],
    timeline: syntheticTimeline(3),
    spectrum: [
      { percentile: 0, latencyMs: 0.5 },
      { percentile: 50, latencyMs: 1 },
      { percentile: 100, latencyMs: 5 },
    ],
  },
  checks: [],
  checksTitle: 'Thresholds',
  ...over,
});

describe('buildReportData', () => {
  it('columns for the charts, the spectrum as two columns, markers in seconds with their impact', () => {
    const data = buildReportData(input({ markers: [{ atMs: 1500, endsAtMs: 2500, kind: 'pause-instance', target: 'product-2' }] }));
    expect(data.timeline.time).toEqual([0.5, 1.5, 2.5]);
    expect(data.spectrum).toEqual({ percentile: [0, 50, 100], latencyMs: [0.5, 1, 5] });
    expect(data.markers).toEqual([
      { atS: 1.5, endS: 2.5, kind: 'pause-instance', target: 'product-2', impact: { errors: 0, peakP99Ms: 4, recoveredAfterMs: 0 } },
    ]);
    expect(data.serverSeries).toEqual([]);
  });

  it('server-side series on one shared time column in seconds, a gap (null) where a series has no sample', () => {
    const data = buildReportData(
      input({
        serverSeries: [
          {
            title: 'CPU',
            unit: '%',
            series: [
              {
                label: 'product-1',
                points: [
                  [1000, 20],
                  [2000, 35],
                ],
              },
              { label: 'product-2', points: [[1500, 50]] },
            ],
          },
        ],
      }),
    );
    expect(data.serverSeries).toEqual([
      {
        title: 'CPU',
        unit: '%',
        time: [1, 1.5, 2],
        series: [
          { label: 'product-1', values: [20, null, 35] },
          { label: 'product-2', values: [null, 50, null] },
        ],
      },
    ]);
  });

  it('puts wall-clock samples (as Prometheus stamps them) on the timeline clock', () => {
    const startedAtMs = Date.parse('2026-01-01T00:00:00.000Z');
    expect(serverSeriesGroup('Event-loop lag', 'ms', [{ label: 'order-5', points: [[startedAtMs + 2000, 12.5]] }], startedAtMs)).toEqual({
      title: 'Event-loop lag',
      unit: 'ms',
      series: [{ label: 'order-5', points: [[2000, 12.5]] }],
    });
  });
});

import type { EndpointStats } from '../../src/overload/collect-endpoint-stats.js';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { LoadDashboard, sparkline } from '../../src/overload/load-dashboard.js';
import type { LoadSnapshot } from '../../src/overload/load-snapshot.js';

const idle = { cpuPercent: 12, eventLoopLagMs: { p50: 0, p99: 1.2, max: 3 }, saturated: false };
const snapshot = (over: Partial<LoadSnapshot> = {}): LoadSnapshot =>
  Object.freeze({
    final: false,
    target: 'http://127.0.0.1:8080',
    scenario: 'mix',
    model: 'closed',
    startedAtMs: 1_767_225_600_000,
    elapsedMs: 4000,
    planned: 10_000,
    completed: 2500,
    ok: 2490,
    errors: 10,
    retries: 3,
    inFlight: 32,
    byStatus: { '200': 2490, '503': 10 },
    errorsByKind: { HTTP_503: 7, ECONNRESET: 3 },
    currentRps: 640,
    averageRps: 625,
    rpsHistory: [600, 620, 610, 640],
    latencyMs: { p50: 1.25, p90: 4.5, p99: 17.75, p999: 40.5, max: 88.25, mean: 2.5 },
    instances: { 'product-1': 1500, 'product-2': 1000 },
    cache: { HIT: 750, MISS: 250 },
    etaMs: 12_000,
    timeline: [],
    endpoints: [],
    spectrum: [],
    generator: idle,
    generatorNow: idle,
    ...over,
  });

describe('the overload dashboard (draws snapshots, computes nothing)', () => {
  let unmount: (() => void) | undefined;
  afterEach(() => {
    unmount?.();
    unmount = undefined;
  });
  const draw = (element: React.JSX.Element) => {
    const view = render(element);
    unmount = view.unmount;
    return view;
  };

  it('draws a preparing frame before the first snapshot', () => {
    const frame = draw(<LoadDashboard snapshot={undefined} />).lastFrame()!;
    expect(frame).toContain('preparing');
    expect(frame).not.toContain('latency');
  });

  it('draws the per-endpoint breakdown', () => {
    const latencyMs = { p50: 1.5, p90: 2, p99: 250, p999: 300, max: 310, mean: 3 };
    const endpoints: EndpointStats[] = [
      { name: 'checkout', requests: 250, ok: 240, errors: 10, rps: 62.5, latencyMs, errorsByKind: { HTTP_503: 10 } },
      { name: 'product', requests: 2250, ok: 2250, errors: 0, rps: 562.5, latencyMs: { ...latencyMs, p99: 3 }, errorsByKind: {} },
    ];
    const frame = draw(<LoadDashboard snapshot={snapshot({ endpoints })} />).lastFrame()!;
    expect(frame).toMatch(/endpoint\s+requests\s+rps\s+p50\s+p90\s+p99\s+max\s+errors/);
    expect(frame).toMatch(/checkout\s+250\s+62\.5\s+1\.5\s+2\s+250\s+310\s+10 \(4%\)/);
    expect(frame).toMatch(/product\s+2250\s+562\.5\s+1\.5\s+2\s+3\s+310\s+0/);
  });

  it('draws progress, rps, percentiles, statuses, errors by kind, instance shares and cache hit ratio', () => {
    const frame = draw(<LoadDashboard snapshot={snapshot()} />).lastFrame()!;
    expect(frame).toContain('mix · closed model · http://127.0.0.1:8080');
    expect(frame).toContain('2500/10000 (25%)');
    expect(frame).toContain('elapsed 4.0s');
    expect(frame).toContain('ETA 12.0s');
    expect(frame).toContain('rps 640 (avg 625)');
    expect(frame).toContain(sparkline([600, 620, 610, 640]));
    expect(frame).toContain('p50 1.25');
    expect(frame).toContain('p90 4.5');
    expect(frame).toContain('p99 17.75');
    expect(frame).toContain('p99.9 40.5');
    expect(frame).toContain('max 88.25');
    expect(frame).toContain('200×2490');
    expect(frame).toContain('503×10');
    expect(frame).toContain('errors 10 · retries 3 · in flight 32');
    expect(frame).toContain('errors by kind HTTP_503×7  ECONNRESET×3');
    expect(frame).toMatch(/product-1\s+█{12}░{8}\s+60% \(1500\)/);
    expect(frame).toMatch(/product-2\s+█{8}░{12}\s+40% \(1000\)/);
    expect(frame).toContain('cache hit ratio 75% (HIT×750 MISS×250)');
    expect(frame).not.toContain('threshold');
  });

  it('follows successive snapshots, frame by frame', () => {
    const { lastFrame, rerender } = draw(<LoadDashboard snapshot={snapshot({ completed: 1000, elapsedMs: 1000, currentRps: 1000, etaMs: null })} />);
    expect(lastFrame()).toContain('1000/10000 (10%)');
    expect(lastFrame()).toContain('rps 1000');
    expect(lastFrame()).toContain('ETA ?');
    rerender(
      <LoadDashboard
        snapshot={snapshot({
          completed: 7500,
          elapsedMs: 3000,
          currentRps: 3250,
          latencyMs: { p50: 2, p90: 3, p99: 61.5, p999: 70, max: 90, mean: 2.2 },
        })}
      />,
    );
    expect(lastFrame()).toContain('7500/10000 (75%)');
    expect(lastFrame()).toContain('rps 3250');
    expect(lastFrame()).toContain('p99 61.5');
    expect(lastFrame()).not.toContain('1000/10000');
  });

  it('hides the error, instance and cache lines when there is nothing to show', () => {
    const frame = draw(
      <LoadDashboard snapshot={snapshot({ errors: 0, errorsByKind: {}, byStatus: { '200': 2500 }, instances: {}, cache: {} })} />,
    ).lastFrame()!;
    expect(frame).not.toContain('errors by kind');
    expect(frame).not.toContain('instances');
    expect(frame).not.toContain('cache hit ratio');
    expect(frame).toContain('200×2500');
  });

  it('shows the threshold verdicts and the average rps on the final frame', () => {
    const { lastFrame, rerender } = draw(<LoadDashboard snapshot={snapshot()} />);
    rerender(
      <LoadDashboard
        snapshot={snapshot({ final: true, completed: 10_000, etaMs: 0, averageRps: 1234.5, currentRps: 17 })}
        thresholds={[
          { expr: 'p99<50', ok: true, actual: 17.75 },
          { expr: 'errors<0.01%', ok: false, actual: 0.1 },
        ]}
      />,
    );
    const frame = lastFrame()!;
    expect(frame).toContain('10000/10000 (100%)');
    expect(frame).toContain('done');
    expect(frame).not.toContain('ETA');
    expect(frame).toContain('rps 1234.5 (avg 1234.5)');
    expect(frame).toContain('✓ threshold p99<50 (actual 17.75)');
    expect(frame).toContain('✗ threshold errors<0.01% (actual 0.1)');
  });

  it('draws the open model with its planned count', () => {
    const frame = draw(<LoadDashboard snapshot={snapshot({ model: 'open', planned: 600, completed: 150, scenario: 'get' })} />).lastFrame()!;
    expect(frame).toContain('get · open model');
    expect(frame).toContain('150/600 (25%)');
  });
});

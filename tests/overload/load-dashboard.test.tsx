import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { LoadDashboard } from '../../src/overload/load-dashboard.js';
import type { LoadSnapshot } from '../../src/overload/load-snapshot.js';

const snapshot = (over: Partial<LoadSnapshot> = {}): LoadSnapshot =>
  Object.freeze({
    final: false,
    target: 'http://127.0.0.1:8080',
    scenario: 'mix',
    model: 'closed',
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
    ...over,
  });

describe('the overload dashboard', () => {
  it('draws progress, rps, percentiles, statuses, errors, instances and cache ratio from a snapshot', () => {
    const { lastFrame } = render(<LoadDashboard snapshot={snapshot()} />);
    const frame = lastFrame()!;
    expect(frame).toContain('2500/10000 (25%)');
    expect(frame).toContain('ETA 12.0s');
    expect(frame).toContain('rps 640');
    expect(frame).toContain('p50 1.25');
    expect(frame).toContain('p99 17.75');
    expect(frame).toContain('200×2490');
    expect(frame).toContain('503×10');
    expect(frame).toContain('HTTP_503×7');
    expect(frame).toContain('ECONNRESET×3');
    expect(frame).toMatch(/product-1\s+█+░*\s+60%/);
    expect(frame).toMatch(/product-2\s+█+░*\s+40%/);
    expect(frame).toContain('cache hit ratio 75%');
  });

  it('shows the threshold verdicts on the final frame, and a preparing frame before the first snapshot', () => {
    const { lastFrame, rerender } = render(<LoadDashboard snapshot={undefined} />);
    expect(lastFrame()).toContain('preparing');
    rerender(
      <LoadDashboard
        snapshot={snapshot({ final: true, completed: 10_000, etaMs: 0 })}
        thresholds={[
          { expr: 'p99<50', ok: true, actual: 17.75 },
          { expr: 'errors<0.01%', ok: false, actual: 0.1 },
        ]}
      />,
    );
    const frame = lastFrame()!;
    expect(frame).toContain('10000/10000 (100%)');
    expect(frame).toContain('done');
    expect(frame).toContain('✓ threshold p99<50');
    expect(frame).toContain('✗ threshold errors<0.01% (actual 0.1)');
  });
});

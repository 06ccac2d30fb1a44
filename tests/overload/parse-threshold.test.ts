import { describe, expect, it } from 'vitest';
import { checkThreshold, parseThreshold } from '../../src/overload/parse-threshold.js';

const report = {
  requests: 200,
  ok: 190,
  errors: 10,
  retries: 2,
  byStatus: {},
  errorsByKind: {},
  rps: 1500,
  durationMs: 1000,
  latencyMs: { p50: 3, p90: 8, p99: 40, p999: 90, max: 120, mean: 5 },
  instances: {},
  cache: {},
  generator: { cpuPercent: 97.5, eventLoopLagMs: { p50: 2, p99: 31, max: 80 }, saturated: true },
};

describe('parseThreshold', () => {
  it('parses metric, operator, value, percent and an optional ms unit', () => {
    expect(parseThreshold(' p99 < 50 ')).toEqual({ expr: 'p99 < 50', metric: 'p99', op: '<', value: 50, percent: false });
    expect(parseThreshold('errors<=1.5%')).toEqual({ expr: 'errors<=1.5%', metric: 'errors', op: '<=', value: 1.5, percent: true });
    expect(parseThreshold('rps>1000')).toMatchObject({ metric: 'rps', op: '>', value: 1000, percent: false });
    expect(parseThreshold('p999>=2.5ms')).toMatchObject({ metric: 'p999', op: '>=', value: 2.5, percent: false });
  });

  it.each(['p99<<5', 'p99<abc', 'p99', 'p99<', '<5', 'p99=5', 'p99<5s', ''])('refuses the malformed "%s" as a usage error', (bad) => {
    expect(() => parseThreshold(bad)).toThrow(expect.objectContaining({ exitCode: 2, code: 'invalid_threshold' }));
  });

  it.each(['foo<3', 'latency<5', 'p95<5'])('refuses the unknown metric in "%s", naming the known ones', (bad) => {
    expect(() => parseThreshold(bad)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining('unknown metric') }));
  });

  it('refuses % on a metric that is not a count', () => {
    expect(() => parseThreshold('rps>5%')).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => parseThreshold('p99<5%')).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe('checkThreshold', () => {
  it('compares latency, throughput and counts, and reports the actual value', () => {
    expect(checkThreshold(parseThreshold('p99<50'), report)).toEqual({ expr: 'p99<50', ok: true, actual: 40 });
    expect(checkThreshold(parseThreshold('p999<50'), report)).toEqual({ expr: 'p999<50', ok: false, actual: 90 });
    expect(checkThreshold(parseThreshold('max<=120'), report).ok).toBe(true);
    expect(checkThreshold(parseThreshold('max<120'), report).ok).toBe(false);
    expect(checkThreshold(parseThreshold('rps>=1500'), report).ok).toBe(true);
    expect(checkThreshold(parseThreshold('rps>1500'), report).ok).toBe(false);
    expect(checkThreshold(parseThreshold('errors<=10'), report).ok).toBe(true);
    expect(checkThreshold(parseThreshold('requests>=200'), report).ok).toBe(true);
  });

  it('takes a percent threshold as a share of all requests', () => {
    expect(checkThreshold(parseThreshold('errors<1%'), report)).toEqual({ expr: 'errors<1%', ok: false, actual: 5 });
    expect(checkThreshold(parseThreshold('errors<5.5%'), report)).toEqual({ expr: 'errors<5.5%', ok: true, actual: 5 });
    expect(checkThreshold(parseThreshold('ok>=95%'), report)).toEqual({ expr: 'ok>=95%', ok: true, actual: 95 });
    expect(checkThreshold(parseThreshold('retries<1%'), report)).toEqual({ expr: 'retries<1%', ok: false, actual: 1 });
    expect(checkThreshold(parseThreshold('retries<=1%'), report).ok).toBe(true);
  });

  it('gates on the generator itself: its CPU (% of a core) and its event-loop lag p99', () => {
    expect(checkThreshold(parseThreshold('generator_cpu<90'), report)).toEqual({ expr: 'generator_cpu<90', ok: false, actual: 97.5 });
    expect(checkThreshold(parseThreshold('generator_lag<50'), report)).toEqual({ expr: 'generator_lag<50', ok: true, actual: 31 });
  });

  it('gates on the saturation verdict: 1 when the run was flagged, 0 when not', () => {
    const flagged = { ...report, generator: { ...report.generator, saturated: true } };
    const clear = { ...report, generator: { ...report.generator, saturated: false } };
    expect(checkThreshold(parseThreshold('generator_saturated<1'), flagged)).toEqual({ expr: 'generator_saturated<1', ok: false, actual: 1 });
    expect(checkThreshold(parseThreshold('generator_saturated<1'), clear)).toEqual({ expr: 'generator_saturated<1', ok: true, actual: 0 });
  });

  it('counts a percent of zero requests as 0', () => {
    expect(checkThreshold(parseThreshold('errors<1%'), { ...report, requests: 0, errors: 0 })).toEqual({
      expr: 'errors<1%',
      ok: true,
      actual: 0,
    });
  });
});

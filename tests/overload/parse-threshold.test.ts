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
};

describe('thresholds', () => {
  it('parses metric, operator, value and percent', () => {
    expect(parseThreshold(' p99 < 50 ')).toMatchObject({ metric: 'p99', op: '<', value: 50, percent: false });
    expect(parseThreshold('errors<=1.5%')).toMatchObject({ metric: 'errors', op: '<=', value: 1.5, percent: true });
    expect(parseThreshold('rps>1000')).toMatchObject({ metric: 'rps', op: '>', value: 1000 });
  });

  it('refuses malformed expressions and unknown metrics as usage errors', () => {
    for (const bad of ['p99', 'p99<', '<5', 'p99=5', 'latency<5', 'rps>5%', 'p99<five']) {
      expect(() => parseThreshold(bad), bad).toThrow(expect.objectContaining({ exitCode: 2 }));
    }
  });

  it('checks against a report', () => {
    expect(checkThreshold(parseThreshold('p99<50'), report)).toEqual({ expr: 'p99<50', ok: true, actual: 40 });
    expect(checkThreshold(parseThreshold('p999<50'), report).ok).toBe(false);
    expect(checkThreshold(parseThreshold('errors<1%'), report)).toEqual({ expr: 'errors<1%', ok: false, actual: 5 });
    expect(checkThreshold(parseThreshold('errors<=10'), report).ok).toBe(true);
    expect(checkThreshold(parseThreshold('rps>=1500'), report).ok).toBe(true);
  });
});

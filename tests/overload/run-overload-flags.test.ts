import { describe, expect, it } from 'vitest';
import { planOverload, type OverloadFlags } from '../../src/overload/run-overload.js';

const flags = (over: Partial<OverloadFlags>): OverloadFlags => ({ concurrency: 4, threshold: [], timeout: '10s', target: 'http://127.0.0.1:9/x?y=1', ...over });

describe('planOverload validates every flag before any request', () => {
  it.each<[string, Partial<OverloadFlags>]>([
    ['--rate without --duration', { rate: 10 }],
    ['--duration without --rate', { duration: '1s' }],
    ['--request_count with the open model', { rate: 10, duration: '1s', requestCount: 5 }],
    ['a malformed threshold', { threshold: ['p99<<5'] }],
    ['a threshold without a number', { threshold: ['p99<abc'] }],
    ['an unknown threshold metric', { threshold: ['foo<3'] }],
    ['a bad --duration', { rate: 10, duration: 'abc' }],
    ['a zero --duration', { rate: 10, duration: '0s' }],
    ['a bad --timeout', { timeout: 'soon' }],
    ['a zero --timeout', { timeout: '0ms' }],
    ['a non-URL --target', { target: 'not a url' }],
    ['an https --target', { target: 'https://example.com/' }],
    ['no target and no cluster', { target: undefined }],
  ])('%s is a usage error (exit 2)', (_what, over) => {
    expect(() => planOverload(flags(over), undefined)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });

  it('takes the origin and path of --target, and plain GETs by default', () => {
    const plan = planOverload(flags({}), undefined);
    expect(plan.origin).toBe('http://127.0.0.1:9');
    expect(plan.scenarioName).toBe('get');
  });

  it('accepts the open model with both --rate and --duration', () => {
    expect(() => planOverload(flags({ rate: 100, duration: '2s', threshold: ['errors<1%', 'p99<50ms'] }), undefined)).not.toThrow();
  });
});

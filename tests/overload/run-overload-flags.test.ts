import { afterEach, describe, expect, it } from 'vitest';
import { planOverload, type OverloadFlags } from '../../src/overload/run-overload.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';

const flags = (over: Partial<OverloadFlags>): OverloadFlags => ({
  concurrency: 4,
  threshold: [],
  timeout: '10s',
  target: 'http://127.0.0.1:9/x?y=1',
  ...over,
});

describe('planOverload validates every flag before any request', () => {
  let target: HttpTarget | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

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

  it('takes the origin and path of --target, and plain GETs by default', async () => {
    const seen: string[] = [];
    target = await startHttpTarget((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.end('ok');
    });
    const plan = planOverload(flags({ target: `${target.origin}/x/y%20z?y=1&q=a%2Fb`, requestCount: 3 }), undefined);
    expect(plan.origin).toBe(target.origin);
    expect(plan.scenarioName).toBe('get');
    const { final } = await plan.run(() => undefined, new AbortController().signal);
    expect(final.ok).toBe(3);
    // The path with its query, as written, on every request; nothing of it in the origin.
    expect(seen).toEqual(Array.from({ length: 3 }, () => 'GET /x/y%20z?y=1&q=a%2Fb'));
  });

  it('accepts the open model with both --rate and --duration', () => {
    expect(() => planOverload(flags({ rate: 100, duration: '2s', threshold: ['errors<1%', 'p99<50ms'] }), undefined)).not.toThrow();
  });
});

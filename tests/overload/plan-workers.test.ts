import { describe, expect, it } from 'vitest';
import { chooseWorkerCount } from '../../src/overload/choose-worker-count.js';
import { planOverload, type OverloadFlags } from '../../src/overload/run-overload.js';

const flags = (over: Partial<OverloadFlags>): OverloadFlags => ({ concurrency: 8, threshold: [], timeout: '10s', target: 'http://127.0.0.1:9/', ...over });

describe('the worker threads an overload plan runs on', () => {
  it('takes --workers, but never more threads than connections or requests', () => {
    expect(planOverload(flags({ workers: 3 }), undefined).workers).toBe(3);
    expect(planOverload(flags({ workers: 4, concurrency: 2 }), undefined).workers).toBe(2);
    expect(planOverload(flags({ workers: 4, requestCount: 1 }), undefined).workers).toBe(1);
    expect(planOverload(flags({ workers: 4, rate: 10, duration: '1s' }), undefined).workers).toBe(4);
  });

  it('defaults to what the machine can spare for the target', () => {
    expect(planOverload(flags({}), undefined).workers).toBe(Math.min(8, chooseWorkerCount('http://127.0.0.1:9')));
  });
});

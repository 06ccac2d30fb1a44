import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { createLatencyFault } from '../../src/kit/inject-latency.js';
import { request } from '../helpers/api-client.js';
import { useTestCluster } from '../helpers/use-test-cluster.js';

describe('added latency (the slow-instance fault of ecom chaos)', () => {
  it('delays API requests while in force, never other paths, and lapses on its own', () => {
    let now = 1000;
    const fault = createLatencyFault(() => now);
    const scheduled: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    globalThis.setTimeout = ((fn: () => void, ms: number) => {
      scheduled.push(ms);
      fn();
      return 0;
    }) as unknown as typeof setTimeout;
    try {
      const run = (path: string): boolean => {
        let passed = false;
        fault.delay({ path } as Request, {} as Response, () => (passed = true));
        return passed;
      };
      expect(run('/api/products/1')).toBe(true);
      expect(scheduled).toEqual([]);
      fault.set(300, 3000);
      expect(fault.current()).toBe(300);
      run('/api/products/1');
      run('/health');
      expect(scheduled).toEqual([300]);
      now += 3001;
      expect(fault.current()).toBe(0);
      run('/api/products/1');
      expect(scheduled).toEqual([300]);
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
  });
});

describe('PUT /internal/faults on an instance', () => {
  const cluster = useTestCluster({ user: 1 });

  it('takes the cluster token only, validates the body, and answers the latency in force', async () => {
    const url = cluster.url('user');
    const body = { latencyMs: 300, forMs: 2000 };
    expect((await request(url, 'PUT', '/internal/faults', { body })).status).toBe(401);
    const token = cluster.credentials().clusterToken;
    expect((await request(url, 'PUT', '/internal/faults', { body: { latencyMs: -1, forMs: 10 }, token })).status).toBe(400);
    const set = await request(url, 'PUT', '/internal/faults', { body, token });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ latencyMs: 300, forMs: 2000 });
    const off = await request(url, 'PUT', '/internal/faults', { body: { latencyMs: 0, forMs: 0 }, token });
    expect(off.body.latencyMs).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { collectLoadStats } from '../../src/overload/collect-load-stats.js';
import type { LoadSnapshot } from '../../src/overload/load-snapshot.js';
import { recordLoadDelta } from '../../src/overload/record-load-delta.js';
import type { RequestOutcome } from '../../src/overload/request-outcome.js';

const collector = () => collectLoadStats({ target: 'http://t', scenario: 'mix', model: 'closed', planned: 30_000 });

/** A deterministic spread of outcomes over three endpoints: fast and slow answers, 4xx/5xx, transport failures. */
function outcomeAt(i: number): { outcome: RequestOutcome; endpoint: string } {
  const endpoint = ['product', 'list', 'checkout'][i % 3]!;
  // Latencies from 30 µs to ~9 s on a skewed curve, so many HdrHistogram buckets of different widths are hit.
  const latencyUs = 30 + ((i * 7919) % 10_007) ** 2 / 11.3 + (i % 17) / 3;
  if (i % 97 === 0) return { endpoint, outcome: { kind: 'failure', error: i % 2 ? 'TIMEOUT' : 'ECONNRESET', latencyUs } };
  const status = i % 31 === 0 ? 503 : i % 29 === 0 ? 404 : 200;
  return { endpoint, outcome: { kind: 'response', status, latencyUs, instance: `product-${1 + (i % 2)}`, cache: i % 5 ? 'HIT' : 'MISS' } };
}

/** Everything of a snapshot but the wall-clock start (taken from Date.now() at the first snapshot of each collector). */
const comparable = (s: LoadSnapshot) => ({ ...s, startedAtMs: 0 });

describe('worker threads report deltas that the main thread adds exactly', () => {
  it('three workers drained once a "second" give the very snapshots, timeline, endpoints and spectrum of one thread', () => {
    const single = collector();
    const merged = collector();
    const workers = [recordLoadDelta(), recordLoadDelta(), recordLoadDelta()];
    const n = 30_000;
    for (let tick = 1; tick <= 3; tick++) {
      for (let i = (tick - 1) * (n / 3); i < (tick * n) / 3; i++) {
        const { outcome, endpoint } = outcomeAt(i);
        const worker = workers[(i * 13) % 3]!;
        single.started();
        worker.started();
        if (i % 101 === 0) {
          single.retried();
          worker.retried();
        }
        single.record(outcome, endpoint);
        worker.record(outcome, endpoint);
      }
      for (const w of workers) merged.absorb(w.drain());
      const a = single.snapshot({ final: false, elapsedMs: tick * 1000, etaMs: null });
      const b = merged.snapshot({ final: false, elapsedMs: tick * 1000, etaMs: null });
      expect(comparable(b)).toEqual(comparable(a));
    }
    for (const w of workers) merged.absorb(w.drain());
    const a = single.snapshot({ final: true, elapsedMs: 3500, etaMs: 0 });
    const b = merged.snapshot({ final: true, elapsedMs: 3500, etaMs: 0 });
    expect(comparable(b)).toEqual(comparable(a));
    expect(b.completed).toBe(n);
    expect(b.endpoints.reduce((sum, e) => sum + e.requests, 0)).toBe(n);
    expect(b.timeline.reduce((sum, t) => sum + t.requests, 0)).toBe(n);
    expect(b.spectrum.length).toBeGreaterThan(10);
    expect(b.errors).toBeGreaterThan(0);
    expect(Object.keys(b.errorsByKind).sort()).toEqual(['ECONNRESET', 'HTTP_404', 'HTTP_503', 'TIMEOUT']);
  });

  it('a drain starts the next delta from zero and hands out plain data (what postMessage clones)', () => {
    const w = recordLoadDelta();
    w.started();
    w.record({ kind: 'response', status: 200, latencyUs: 1234, instance: 'a' }, 'GET /');
    const first = w.drain();
    expect(first).toMatchObject({ started: 1, retries: 0, byStatus: { '200': 1 }, instances: { a: 1 } });
    expect(first.endpoints).toHaveLength(1);
    expect(first.endpoints[0]).toMatchObject({ name: 'GET /', requests: 1, ok: 1, latencies: { maxUs: 1234 } });
    expect(structuredClone(first)).toEqual(first);
    const second = w.drain();
    expect(second).toEqual({ started: 0, retries: 0, byStatus: {}, instances: {}, cache: {}, endpoints: [] });
  });
});

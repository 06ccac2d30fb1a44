import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { isSaturated, sampleGeneratorLoad } from '../../src/overload/sample-generator-load.js';

describe('sampleGeneratorLoad for a generator of several threads', () => {
  it('takes the lag from the samples its worker threads report, not from its own idle loop', async () => {
    const sampler = sampleGeneratorLoad({ threads: 2, ownLag: false });
    try {
      await sleep(50);
      expect(sampler.total().eventLoopLagMs).toEqual({ p50: 0, p99: 0, max: 0 });
      for (let i = 0; i < 98; i++) sampler.recordLag(0.5);
      sampler.recordLag(45);
      sampler.recordLag(60);
      const load = sampler.total();
      expect(load.eventLoopLagMs.p50).toBe(0.5);
      expect(load.eventLoopLagMs.p99).toBe(45);
      expect(load.eventLoopLagMs.max).toBe(60);
      expect(sampler.lastInterval().eventLoopLagMs.max).toBe(60);
      expect(sampler.lastInterval().eventLoopLagMs.max).toBe(0);
    } finally {
      sampler.stop();
    }
  });

  it('judges saturation on the CPU per sending thread: a busy process of 4 threads is not one saturated thread', async () => {
    const one = sampleGeneratorLoad({ threads: 1, ownLag: false });
    const four = sampleGeneratorLoad({ threads: 4, ownLag: false });
    try {
      const until = Date.now() + 300;
      while (Date.now() < until);
      const [a, b] = [one.total(), four.total()];
      // Same process, same CPU; only the share per thread differs.
      expect(Math.abs(a.cpuPercent - b.cpuPercent)).toBeLessThan(15);
      expect(a.saturated).toBe(isSaturated(a.cpuPercent, 0));
      expect(b.saturated).toBe(isSaturated(b.cpuPercent / 4, 0));
      expect(b.saturated).toBe(false);
    } finally {
      one.stop();
      four.stop();
    }
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { GENERATOR_SATURATION } from '../../src/config/defaults.js';
import { isSaturated, sampleGeneratorLoad } from '../../src/overload/sample-generator-load.js';

describe('sampleGeneratorLoad', () => {
  it('calls the generator saturated at the CPU or the event-loop lag limit, not below both', () => {
    expect(isSaturated(GENERATOR_SATURATION.cpuPercent, 0)).toBe(true);
    expect(isSaturated(GENERATOR_SATURATION.busyCpuPercent, GENERATOR_SATURATION.eventLoopLagP99Ms)).toBe(true);
    // Late but idle: other processes had the CPU, ecom was not the bottleneck.
    expect(isSaturated(GENERATOR_SATURATION.busyCpuPercent - 1, 500)).toBe(false);
    expect(isSaturated(GENERATOR_SATURATION.cpuPercent - 1, GENERATOR_SATURATION.eventLoopLagP99Ms - 1)).toBe(false);
  });

  it('sees a main thread that never yields: a late event loop and busy CPU, so saturated', async () => {
    const sampler = sampleGeneratorLoad();
    try {
      await sleep(30);
      for (let i = 0; i < 8; i++) {
        const until = Date.now() + 80;
        while (Date.now() < until);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const load = sampler.total();
      expect(load.eventLoopLagMs.max).toBeGreaterThanOrEqual(40);
      expect(load.cpuPercent).toBeGreaterThan(0);
      // Saturated unless other processes starved this one of CPU (then the machine, not ecom, was the limit).
      expect(load.saturated).toBe(isSaturated(load.cpuPercent, load.eventLoopLagMs.p99));
      expect(load.saturated || load.cpuPercent < GENERATOR_SATURATION.busyCpuPercent).toBe(true);
    } finally {
      sampler.stop();
    }
  });

  it('sees an idle generator use little CPU, and starts the interval figures over at each call', async () => {
    const sampler = sampleGeneratorLoad();
    try {
      await sleep(300);
      expect(sampler.total().cpuPercent).toBeLessThan(50);
      sampler.lastInterval();
      const until = Date.now() + 150;
      while (Date.now() < until);
      await sleep(20);
      const blocked = sampler.lastInterval();
      expect(blocked.eventLoopLagMs.max).toBeGreaterThanOrEqual(100);
      await sleep(100);
      expect(sampler.lastInterval().eventLoopLagMs.max).toBeLessThan(blocked.eventLoopLagMs.max);
    } finally {
      sampler.stop();
    }
  });
});

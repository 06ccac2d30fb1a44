import { afterEach, describe, expect, it } from 'vitest';
import { plainGetScenario } from '../../src/overload/build-scenario.js';
import { runLoad } from '../../src/overload/run-load.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';

/**
 * A target that answers after `delayMs`, except that every request arriving between 1 s and 2 s after the first one
 * is held until 2 s: the server stops answering for one second.
 */
async function stallingTarget(delayMs: number): Promise<HttpTarget> {
  let firstAt: number | undefined;
  const held: Array<() => void> = [];
  let release: NodeJS.Timeout | undefined;
  const target = await startHttpTarget((_req, res) => {
    const now = performance.now();
    if (firstAt === undefined) {
      firstAt = now;
      release = setTimeout(() => held.splice(0).forEach((answer) => answer()), 2000);
    }
    const t = now - firstAt;
    if (t >= 1000 && t < 2000) held.push(() => res.end('late'));
    else setTimeout(() => res.end('ok'), delayMs);
  });
  const close = target.close.bind(target);
  target.close = () => {
    clearTimeout(release);
    held.splice(0).forEach((answer) => answer());
    return close();
  };
  return target;
}

describe('a one-second stall of the target', () => {
  let target: HttpTarget | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  it('shows in the open-model percentiles, latency being measured from the intended send time', async () => {
    target = await stallingTarget(0);
    const s = await runLoad({
      origin: target.origin,
      scenario: plainGetScenario('/'),
      concurrency: 10,
      rate: 200,
      durationMs: 3000,
      timeoutMs: 10_000,
    });
    expect(s.model).toBe('open');
    expect(s.completed).toBe(600);
    expect(s.errors).toBe(0);
    expect(target.seen()).toBe(600);
    // About a third of the requests were due during the stall, waiting from 0 to 1000 ms.
    expect(s.latencyMs.max).toBeGreaterThan(700);
    expect(s.latencyMs.p99).toBeGreaterThan(300);
    expect(s.latencyMs.p50).toBeLessThan(s.latencyMs.p99);
  });

  it('is understated by the closed model, where only the requests in flight wait (the comparison)', async () => {
    target = await stallingTarget(5);
    // 2000 requests over 4 connections at ≥ 5 ms each take ≥ 2.5 s, so the run spans the stall.
    const closed = await runLoad({
      origin: target.origin,
      scenario: plainGetScenario('/'),
      concurrency: 4,
      requestCount: 2000,
      timeoutMs: 10_000,
    });
    await target.close();
    target = await stallingTarget(5);
    const open = await runLoad({
      origin: target.origin,
      scenario: plainGetScenario('/'),
      concurrency: 10,
      rate: 200,
      durationMs: 3000,
      timeoutMs: 10_000,
    });
    // Both saw the stall…
    expect(closed.latencyMs.max).toBeGreaterThan(700);
    expect(open.latencyMs.max).toBeGreaterThan(700);
    // …but in the closed model at most 4 of 2000 requests waited, so the p99 hides it.
    expect(closed.latencyMs.p99).toBeLessThan(300);
    expect(open.latencyMs.p99).toBeGreaterThan(300);
  });
});

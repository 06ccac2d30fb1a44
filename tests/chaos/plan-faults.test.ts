import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, parseFaultKinds, planFaults } from '../../src/chaos/plan-faults.js';

describe('the fault schedule', () => {
  it('is fixed by the seed, spaced by --every, ends one interval before the run, and deals every kind evenly', () => {
    const plan = planFaults({ seed: 42, durationMs: 60_000, everyMs: 3000, kinds: FAULT_KINDS });
    expect(planFaults({ seed: 42, durationMs: 60_000, everyMs: 3000, kinds: FAULT_KINDS })).toEqual(plan);
    expect(planFaults({ seed: 43, durationMs: 60_000, everyMs: 3000, kinds: FAULT_KINDS })).not.toEqual(plan);
    expect(plan.map((f) => f.atMs)).toEqual(Array.from({ length: 19 }, (_, i) => 3000 * (i + 1)));
    const counts = new Map<string, number>();
    for (const f of plan) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...FAULT_KINDS].sort());
    expect(Math.max(...counts.values()) - Math.min(...counts.values())).toBeLessThanOrEqual(1);
    for (const f of plan) expect(f.pick).toBeGreaterThanOrEqual(0);
    for (const f of plan) expect(f.pick).toBeLessThan(1);
  });

  it('names unknown fault kinds', () => {
    expect(parseFaultKinds('kill-redis, nope ,pause-instance')).toEqual({ kinds: ['kill-redis', 'pause-instance'], unknown: ['nope'] });
  });
});

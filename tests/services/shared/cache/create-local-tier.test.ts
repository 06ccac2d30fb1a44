import { describe, expect, it } from 'vitest';
import { createLocalTier, deepFreeze, LOCAL_MAX_ENTRIES } from '../../../../src/services/shared/cache/create-local-tier.js';

/** A change signal held in memory: `move()` is what another instance's bump looks like. */
function fakeSignal(): { version: () => number; move: () => void } {
  let version = 0;
  return { version: () => version, move: () => void version++ };
}

describe('local cache tier', () => {
  it('misses, then hits what it kept, handing out a deeply frozen copy', () => {
    const local = createLocalTier({ signal: fakeSignal() });
    const version = local.sync();
    expect(local.get('p\u00001')).toBeUndefined();
    const value = { id: 1, tags: ['a'], price: { amount: 5 } };
    local.keep(version, 'p\u00001', value);
    const copy = local.get('p\u00001') as typeof value;
    expect(copy).toEqual({ id: 1, tags: ['a'], price: { amount: 5 } });
    expect(Object.isFrozen(copy) && Object.isFrozen(copy.tags) && Object.isFrozen(copy.price)).toBe(true);
    expect(local.get('p\u00002')).toBeUndefined();
  });

  it('does not keep undefined', () => {
    const local = createLocalTier({ signal: fakeSignal() });
    local.keep(local.sync(), 'k', undefined);
    expect(local.size).toBe(0);
  });

  it('drops every copy once the change signal moves, and tells onMove once per move', () => {
    const signal = fakeSignal();
    let moves = 0;
    const local = createLocalTier({ signal, onMove: () => moves++ });
    local.keep(local.sync(), 'k', 1);
    expect(moves).toBe(1);
    local.sync();
    expect(local.get('k')).toBe(1);
    expect(moves).toBe(1);
    signal.move();
    local.sync();
    expect(local.get('k')).toBeUndefined();
    expect(moves).toBe(2);
  });

  it('refuses a value read under a version the signal has since left', () => {
    const signal = fakeSignal();
    const local = createLocalTier({ signal });
    const before = local.sync();
    signal.move();
    local.sync();
    local.keep(before, 'k', 'old');
    expect(local.get('k')).toBeUndefined();
    local.keep(local.sync(), 'k', 'new');
    expect(local.get('k')).toBe('new');
  });

  it('never holds more than its entries cap, and keeps the newest value', () => {
    const local = createLocalTier({ signal: fakeSignal(), maxEntries: 3 });
    const version = local.sync();
    for (let i = 0; i < 10; i++) {
      local.keep(version, `k${i}`, i);
      expect(local.size).toBeLessThanOrEqual(3);
      expect(local.get(`k${i}`)).toBe(i);
    }
    expect(local.get('k0')).toBeUndefined();
  });

  it('caps at LOCAL_MAX_ENTRIES by default', () => {
    const local = createLocalTier({ signal: fakeSignal() });
    const version = local.sync();
    for (let i = 0; i <= LOCAL_MAX_ENTRIES; i++) local.keep(version, `k${i}`, i);
    expect(local.size).toBeLessThanOrEqual(LOCAL_MAX_ENTRIES);
    expect(local.get(`k${LOCAL_MAX_ENTRIES}`)).toBe(LOCAL_MAX_ENTRIES);
  });

  it('deepFreeze leaves primitives alone and freezes nested arrays', () => {
    expect(deepFreeze(3)).toBe(3);
    const nested = deepFreeze([[1], { a: [2] }]);
    expect(Object.isFrozen(nested[0]) && Object.isFrozen((nested[1] as { a: number[] }).a)).toBe(true);
  });
});

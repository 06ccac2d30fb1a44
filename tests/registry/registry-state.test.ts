import { describe, expect, it } from 'vitest';
import { RegistryState } from '../../src/registry/registry-state.js';

describe('RegistryState', () => {
  it('bumps the index only when the set of instances changes', () => {
    const changes: string[] = [];
    const state = new RegistryState(3000, (change, service, id) => changes.push(`${change} ${service}-${id}`));
    state.register('product', 1, { host: '127.0.0.1', port: 5001 });
    expect(state.index).toBe(1);
    state.register('product', 1, { host: '127.0.0.1', port: 5001 });
    expect(state.index).toBe(1);
    expect(state.heartbeat('product', 1)).toBe(true);
    expect(state.index).toBe(1);
    state.register('product', 1, { host: '127.0.0.1', port: 5009 });
    expect(state.index).toBe(2);
    expect(state.heartbeat('product', 7)).toBe(false);
    state.deregister('product', 1);
    state.deregister('product', 1);
    expect(state.index).toBe(3);
    expect(changes).toEqual(['register product-1', 'register product-1', 'deregister product-1']);
  });

  it('evicts instances silent for longer than the TTL, by an injected clock', () => {
    let now = 1_000;
    const state = new RegistryState(3000, undefined, undefined, () => now);
    state.register('user', 3, { host: 'h', port: 1 });
    state.register('user', 4, { host: 'h', port: 2 });
    now += 2000;
    state.heartbeat('user', 4);
    now += 1500;
    expect(state.evictExpired()).toBe(1);
    expect(state.snapshot().services.user!.map((i) => i.id)).toEqual([4]);
    now += 3001;
    expect(state.evictExpired()).toBe(1);
    expect(state.snapshot().services.user).toEqual([]);
  });

  it('restores a saved listing with its index and a fresh TTL', () => {
    let now = 50_000;
    const saved = { index: 41, services: { order: [{ id: 5, host: 'h', port: 5005, registeredAt: 'x', lastHeartbeat: 'y' }] } };
    const state = new RegistryState(3000, undefined, saved, () => now);
    expect(state.index).toBe(41);
    now += 2999;
    expect(state.evictExpired()).toBe(0);
    now += 2;
    expect(state.evictExpired()).toBe(1);
    expect(state.index).toBe(42);
  });

  it('wakes long polls on change, on abort, and at once for a stale index', async () => {
    const state = new RegistryState(3000);
    const ac = new AbortController();
    let woke = false;
    const waiting = state.waitForChange(0, ac.signal).then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    state.register('product', 1, { host: 'h', port: 1 });
    await waiting;
    expect(woke).toBe(true);
    const aborted = new AbortController();
    const pending = state.waitForChange(state.index, aborted.signal);
    aborted.abort();
    await pending;
    await state.waitForChange(999, new AbortController().signal);
  });
});

import { describe, expect, it } from 'vitest';
import { coalesceLoads } from '../../../../src/services/shared/cache/coalesce-loads.js';

/** A promise settled from outside. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('load coalescing', () => {
  it('runs one load for N concurrent callers of one key, and all get its value', async () => {
    const loads = coalesceLoads();
    const gate = deferred<string>();
    let calls = 0;
    const load = (): Promise<string> => (calls++, gate.promise);
    const runs = Array.from({ length: 20 }, () => loads.run('k', load));
    expect(calls).toBe(1);
    expect(runs.map((r) => r.joined)).toEqual([false, ...Array<boolean>(19).fill(true)]);
    expect(loads.pending).toBe(1);
    gate.resolve('v');
    expect(await Promise.all(runs.map((r) => r.result))).toEqual(Array<string>(20).fill('v'));
    expect(loads.pending).toBe(0);
  });

  it('keeps loads of different keys apart', async () => {
    const loads = coalesceLoads();
    const a = loads.run('a', async () => 'A');
    const b = loads.run('b', async () => 'B');
    expect([a.joined, b.joined]).toEqual([false, false]);
    expect([await a.result, await b.result]).toEqual(['A', 'B']);
  });

  it('rejects every waiter of a failed load, and the next call loads again', async () => {
    const loads = coalesceLoads();
    const gate = deferred<string>();
    let calls = 0;
    const runs = Array.from({ length: 5 }, () => loads.run('k', () => (calls++, gate.promise)));
    gate.reject(new Error('db down'));
    const settled = await Promise.allSettled(runs.map((r) => r.result));
    expect(settled.every((s) => s.status === 'rejected' && (s.reason as Error).message === 'db down')).toBe(true);
    expect(loads.pending).toBe(0);
    const again = loads.run('k', async () => (calls++, 'fresh'));
    expect(again.joined).toBe(false);
    expect(await again.result).toBe('fresh');
    expect(calls).toBe(2);
  });

  it('turns a load that throws at once into a rejection, not a throw', async () => {
    const loads = coalesceLoads();
    const run = loads.run('k', () => {
      throw new Error('sync');
    });
    await expect(run.result).rejects.toThrow('sync');
    expect(loads.pending).toBe(0);
  });

  it('starts a new load once the previous one finished', async () => {
    const loads = coalesceLoads();
    let calls = 0;
    await loads.run('k', async () => ++calls).result;
    expect(await loads.run('k', async () => ++calls).result).toBe(2);
  });
});

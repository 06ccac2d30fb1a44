import { describe, expect, it } from 'vitest';
import { restartInstances } from '../../src/cluster/restart-instances.js';
import { scaleInstances } from '../../src/cluster/scale-instances.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('restartInstances', () => {
  it('rolling: each replacement is ready before its old instance goes, one at a time, never below the old count', async () => {
    const live = new Set(['p-1', 'p-2']);
    const log: string[] = [];
    let next = 3;
    let fewest = live.size;
    await restartInstances(['p-1', 'p-2'], true, {
      startReplacement: async (old) => {
        await tick();
        const name = `p-${next++}`;
        live.add(name);
        log.push(`${name} ready for ${old}`);
      },
      retire: async (old) => {
        live.delete(old);
        fewest = Math.min(fewest, live.size);
        await tick();
        log.push(`${old} gone`);
      },
      restartInPlace: async () => {
        throw new Error('not rolling');
      },
    });
    expect(log).toEqual(['p-3 ready for p-1', 'p-1 gone', 'p-4 ready for p-2', 'p-2 gone']);
    expect([...live]).toEqual(['p-3', 'p-4']);
    expect(fewest).toBe(2);
  });

  it('not rolling: restarts every instance in place at once', async () => {
    const log: string[] = [];
    await restartInstances(['a', 'b'], false, {
      startReplacement: async () => {
        throw new Error('rolling');
      },
      retire: async () => {
        throw new Error('rolling');
      },
      restartInPlace: async (name) => {
        log.push(`restart ${name}`);
        await tick();
        log.push(`ready ${name}`);
      },
    });
    expect(log).toEqual(['restart a', 'restart b', 'ready a', 'ready b']);
  });
});

describe('scaleInstances', () => {
  const steps = (list: number[], retired: number[], free: () => boolean = () => true) => ({
    startOne: async () => {
      if (!free()) return undefined;
      const id = Math.max(0, ...list) + 1;
      list.push(id);
      return `p-${id}`;
    },
    retire: async (id: number) => {
      retired.push(id);
      list.splice(list.indexOf(id), 1);
    },
    nameOf: (id: number) => `p-${id}`,
    idOf: (id: number) => id,
    progress: () => undefined,
  });

  it('starts instances up to the count, and stops the newest ones down to it', async () => {
    const list = [1, 2];
    const retired: number[] = [];
    expect(await scaleInstances(list, 4, steps(list, retired))).toEqual({ added: ['p-3', 'p-4'], removed: [] });
    expect(list).toEqual([1, 2, 3, 4]);
    expect(await scaleInstances(list, 1, steps(list, retired))).toEqual({ added: [], removed: ['p-4', 'p-3', 'p-2'] });
    expect(list).toEqual([1]);
    expect(retired.sort()).toEqual([2, 3, 4]);
  });

  it('stops adding when a concurrent scale already reached the count', async () => {
    const list = [1];
    let calls = 0;
    const result = await scaleInstances(
      list,
      3,
      steps(list, [], () => ++calls < 2),
    );
    expect(result).toEqual({ added: ['p-2'], removed: [] });
  });

  it('starts the missing instances at once, and reports the first failure after every start has ended', async () => {
    let inFlight = 0;
    let most = 0;
    let ended = 0;
    const slow = (fail: boolean) => async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      ended++;
      if (fail) throw new Error('did not start');
      return 'p';
    };
    const base = { retire: async () => undefined, nameOf: String, idOf: Number, progress: () => undefined };
    expect(await scaleInstances([1], 5, { ...base, startOne: slow(false) })).toEqual({ added: ['p', 'p', 'p', 'p'], removed: [] });
    expect(most).toBe(4);
    ended = 0;
    let calls = 0;
    await expect(scaleInstances([1], 4, { ...base, startOne: () => slow(++calls === 1)() })).rejects.toThrow('did not start');
    expect(ended).toBe(3);
  });
});

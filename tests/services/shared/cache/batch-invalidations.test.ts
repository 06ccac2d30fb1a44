import { describe, expect, it } from 'vitest';
import { batchInvalidations } from '../../../../src/services/shared/cache/batch-invalidations.js';
import type { CacheTarget } from '../../../../src/services/shared/cache/encode-cache-keys.js';

describe('batching invalidations', () => {
  it('delivers the targets of one turn once, without duplicates, and answers each caller only after delivery', async () => {
    const deliveries: CacheTarget[][] = [];
    let finish!: () => void;
    const batcher = batchInvalidations(async (targets) => {
      deliveries.push(targets);
      await new Promise<void>((r) => (finish = r));
    });
    let answered = 0;
    const a = batcher.add([{ ns: 'product', key: '1' }, { ns: 'product-list' }]).then(() => answered++);
    const b = batcher.add([{ ns: 'product', key: '2' }, { ns: 'product-list' }]).then(() => answered++);
    await new Promise((r) => setImmediate(r));
    expect(deliveries).toEqual([[{ ns: 'product', key: '1' }, { ns: 'product-list' }, { ns: 'product', key: '2' }]]);
    expect(answered).toBe(0);
    finish();
    await Promise.all([a, b]);
    expect(answered).toBe(2);
  });

  it('starts a new delivery for targets added after the previous turn', async () => {
    const deliveries: CacheTarget[][] = [];
    const batcher = batchInvalidations(async (targets) => void deliveries.push(targets));
    await batcher.add([{ ns: 'product', key: '1' }]);
    await batcher.add([{ ns: 'product', key: '1' }]);
    expect(deliveries).toHaveLength(2);
  });

  it('delivers in the turn the writes asked, before any immediate queued ahead of them', async () => {
    const deliveries: CacheTarget[][] = [];
    const batcher = batchInvalidations(async (targets) => void deliveries.push(targets));
    const before = await new Promise<number>((done) =>
      setImmediate(() => {
        setImmediate(() => done(deliveries.length));
        void Promise.resolve().then(() => batcher.add([{ ns: 'product', key: '1' }]));
        void batcher.add([{ ns: 'product', key: '2' }]);
      }),
    );
    expect(before).toBe(1);
    expect(deliveries).toEqual([
      [
        { ns: 'product', key: '2' },
        { ns: 'product', key: '1' },
      ],
    ]);
  });
});

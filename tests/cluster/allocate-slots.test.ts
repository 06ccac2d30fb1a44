import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { slotAllocator, withSlot } from '../../src/cluster/allocate-slots.js';
import { freePorts } from '../helpers/free-port.js';

describe('slotAllocator', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('never hands two concurrent allocations the same id or port, even while the port checks are slow', async () => {
    const inUse = [
      { id: 1, port: 5001 },
      { id: 2, port: 5002 },
    ];
    const slots = slotAllocator({
      host: '127.0.0.1',
      inUse: () => inUse,
      corePorts: [],
      isFree: async () => {
        await new Promise((r) => setTimeout(r, 10));
        return true;
      },
    });
    const got = await Promise.all(Array.from({ length: 6 }, () => slots.allocate()));
    expect(new Set(got.map((s) => s.id)).size).toBe(6);
    expect(new Set(got.map((s) => s.port)).size).toBe(6);
    expect(got.map((s) => s.id).sort()).toEqual([3, 4, 5, 6, 7, 8]);
    expect(got.every((s) => s.port > 5002)).toBe(true);
  });

  it('keeps a slot reserved until released, then counts only what is in use', async () => {
    const inUse: Array<{ id: number; port: number }> = [{ id: 4, port: 5004 }];
    const slots = slotAllocator({ host: '127.0.0.1', inUse: () => inUse, corePorts: [], isFree: async () => true });
    const a = await slots.allocate();
    const b = await slots.allocate();
    expect([a.id, a.port, b.id, b.port]).toEqual([5, 5005, 6, 5006]);
    inUse.push({ id: a.id, port: a.port });
    a.release();
    b.release();
    const c = await slots.allocate();
    expect([c.id, c.port]).toEqual([6, 5006]);
  });

  it('skips core ports and ports something else listens on', async () => {
    const [busy] = await freePorts(1);
    const server = createServer();
    servers.push(server);
    await new Promise<void>((r) => server.listen({ port: busy!, host: '127.0.0.1' }, () => r()));
    const core = busy! + 1;
    // Candidates start right above basePort: `busy` is taken by a real listener, `core` is the gateway's.
    const slots = slotAllocator({ host: '127.0.0.1', inUse: () => [], corePorts: [core], basePort: busy! - 1 });
    const slot = await slots.allocate();
    expect(slot.port).toBeGreaterThan(core);
    expect(slot.id).toBe(1);
  });
});

describe('withSlot', () => {
  const allocator = () => slotAllocator({ host: '127.0.0.1', inUse: () => [{ id: 4, port: 5004 }], corePorts: [], isFree: async () => true });

  it('uses a fresh slot and hands the same slot out again once released, also after a failure', async () => {
    const slots = allocator();
    expect(
      await withSlot(
        slots,
        () => false,
        async ({ id, port }) => `${id}:${port}`,
      ),
    ).toBe('5:5005');
    await expect(
      withSlot(
        slots,
        () => false,
        async () => Promise.reject(new Error('start failed')),
      ),
    ).rejects.toThrow('start failed');
    expect((await slots.allocate()).id).toBe(5);
  });

  it('runs nothing when enough() holds once the slot is taken', async () => {
    let ran = false;
    expect(
      await withSlot(
        allocator(),
        () => true,
        async () => (ran = true),
      ),
    ).toBeUndefined();
    expect(ran).toBe(false);
  });
});

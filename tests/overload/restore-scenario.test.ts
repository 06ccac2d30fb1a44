import { describe, expect, it } from 'vitest';
import { buildScenario, targetScenario, type SetupCall } from '../../src/overload/build-scenario.js';
import { restoreScenario } from '../../src/overload/restore-scenario.js';

/** A cluster answering the set-up: two pages of products, and a token per login; counts the calls. */
function fakeCluster(): { call: SetupCall; calls: string[] } {
  const calls: string[] = [];
  const call: SetupCall = async (method, path, body) => {
    calls.push(`${method} ${path}`);
    if (path.endsWith('/login')) return { status: 200, body: { token: `T-${(body as { email: string }).email}` } };
    return path.includes('cursor=')
      ? { status: 200, body: { items: [{ id: 8, name: 'Green Lamp', stock: 2 }], nextCursor: null } }
      : { status: 200, body: { items: [{ id: 7, name: 'Blue Mug', stock: 5 }], nextCursor: 'c1' } };
  };
  return { call, calls };
}

const noCall: SetupCall = () => Promise.reject(new Error('no set-up call expected'));

describe('a prepared scenario rebuilt in a worker thread from its plain state', () => {
  it('checkout: the same ids and the same load users, round-robin by virtual user, without a set-up call', async () => {
    const cluster = fakeCluster();
    const original = buildScenario('checkout', { users: 3 });
    await original.prepare(cluster.call);
    const state = structuredClone(original.state!());
    expect(state).toMatchObject({ kind: 'cluster', name: 'checkout', ids: [7, 8] });
    const restored = restoreScenario(state);
    await restored.prepare(noCall);
    expect(restored.name).toBe('checkout');
    for (const vu of [1, 2, 3, 4, 5]) {
      const [a, b] = await Promise.all([original.createUser(vu, noCall), restored.createUser(vu, noCall)]);
      const [x, y] = [a.next(), b.next()];
      expect(y.headers.authorization).toBe(x.headers.authorization);
      expect(y.headers.authorization).toBe(`Bearer T-seed-user-${((vu - 1) % 3) + 1}@ecom.local`);
      for (const item of (JSON.parse(y.body!) as { items: Array<{ productId: number }> }).items) expect([7, 8]).toContain(item.productId);
    }
    expect(cluster.calls.filter((c) => c.endsWith('/login'))).toHaveLength(3);
  });

  it('--target: the same request, method, headers and body', async () => {
    const original = targetScenario({ method: 'POST', path: '/x?y=1', headers: { authorization: 'Bearer Q' }, body: '{"a":1}' });
    const restored = restoreScenario(structuredClone(original.state!()));
    const [a, b] = await Promise.all([original.createUser(1, noCall), restored.createUser(1, noCall)]);
    expect(b.next()).toEqual(a.next());
    expect(restored.name).toBe('post');
  });
});

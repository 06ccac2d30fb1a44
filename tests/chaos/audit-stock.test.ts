import { describe, expect, it } from 'vitest';
import { checkOrders, checkStock, type StockLedger } from '../../src/chaos/audit-stock.js';
import { upstreamsOf } from '../../src/chaos/check-cluster.js';

const ledger = (stock: Record<number, number>, held: Record<string, Array<[number, number]>>, orders: StockLedger['orders'] = []): StockLedger => ({
  stock: new Map(Object.entries(stock).map(([k, v]) => [Number(k), v])),
  held: new Map(Object.entries(held).map(([id, items]) => [id, items.map(([productId, quantity]) => ({ productId, quantity }))])),
  lastOrderSeq: 0,
  orders,
});
const order = (id: string, status: string, items: Array<[number, number]>, key: string | null = id) => ({
  id,
  idempotencyKey: key,
  status,
  items: items.map(([productId, quantity]) => ({ productId, quantity })),
});

describe('the chaos audit', () => {
  it('accounts every unit: stock before = stock now + placed orders + attempts in flight', () => {
    const before = ledger({ 1: 100, 2: 50 }, {});
    const after = ledger(
      { 1: 97, 2: 49 },
      {
        a: [[1, 2]],
        b: [
          [1, 1],
          [2, 1],
        ],
      },
      [order('a', 'placed', [[1, 2]]), order('b', 'pending', [])],
    );
    expect(checkStock(before, after)).toMatchObject({ ok: true });
  });

  it('catches lost stock, oversold stock, and a placed order whose reservation went back', () => {
    const before = ledger({ 1: 100 }, {});
    expect(checkStock(before, ledger({ 1: 97 }, { a: [[1, 2]] }, [order('a', 'placed', [[1, 2]])]))).toMatchObject({
      ok: false,
      items: [expect.stringMatching(/lost 1/)],
    });
    expect(checkStock(before, ledger({ 1: 99 }, { a: [[1, 2]] }, [order('a', 'placed', [[1, 2]])]))).toMatchObject({
      ok: false,
      items: [expect.stringMatching(/oversold 1/)],
    });
    const released = checkStock(before, ledger({ 1: 100 }, {}, [order('a', 'placed', [[1, 2]])]));
    expect(released.ok).toBe(false);
    expect(released.items).toContainEqual(expect.stringMatching(/order a is placed but its stock is not held/));
  });

  it('wants every order answered 201 placed exactly once under its key', () => {
    const after = ledger({}, {}, [order('a', 'placed', [], 'k1'), order('b', 'pending', [], 'k2')]);
    expect(checkOrders(['k1'], after).ok).toBe(true);
    expect(checkOrders(['k1', 'k2', 'k3'], after)).toMatchObject({ ok: false, detail: '2 answered orders missing or duplicated' });
  });

  it('reads the upstreams of a rendered nginx.conf by instance name', () => {
    const conf =
      'upstream ecom_product {\n    server 127.0.0.1:5001 max_fails=1 fail_timeout=2s; # product-1\n    server [::1]:5002 max_fails=1; # product-2\n}';
    expect(upstreamsOf(conf)).toEqual(['product-1 127.0.0.1:5001', 'product-2 ::1:5002']);
  });
});

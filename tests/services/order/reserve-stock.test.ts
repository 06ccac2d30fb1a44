import { describe, expect, it } from 'vitest';
import type { PeerClient, PeerRequest, PeerResponse } from '../../../src/services/shared/call-peers.js';
import { reserveInBatches } from '../../../src/services/order/reserve-stock.js';

/** A product service stand-in that records each call and answers with `answer`. */
function fakePeers(answer: (request: PeerRequest) => PeerResponse | Promise<PeerResponse>) {
  const calls: PeerRequest[] = [];
  const peers: PeerClient = {
    async call(_kind, request) {
      calls.push(request);
      return answer(request);
    },
  };
  return { peers, calls };
}

const items = [{ productId: 1, quantity: 1 }];
const batchAnswer = (request: PeerRequest): PeerResponse => {
  const { reservations } = request.body as { reservations: Array<{ id: string }> };
  return { status: 200, body: { results: reservations.map((r, i) => ({ id: r.id, status: i === 1 ? 409 : 201, body: { n: i } })) } };
};

describe('reserving stock in batches', () => {
  it('sends the reservations of one turn in one call and answers each order with its own entry', async () => {
    const { peers, calls } = fakePeers(batchAnswer);
    const reserve = reserveInBatches(peers);
    const answers = await Promise.all(['order-a1', 'order-b2', 'order-c3'].map((id) => reserve(id, items)));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: 'PUT', path: '/internal/reservations', idempotent: true });
    expect(answers).toEqual([
      { status: 201, body: { n: 0 } },
      { status: 409, body: { n: 1 } },
      { status: 201, body: { n: 2 } },
    ]);
  });

  it('uses the one-order route for a lone order, and for every order when the batch route is unknown (404)', async () => {
    const { peers, calls } = fakePeers((request) =>
      request.path === '/internal/reservations' ? { status: 404, body: {} } : { status: 201, body: { path: request.path } },
    );
    const reserve = reserveInBatches(peers);
    expect(await reserve('order-lone', items)).toEqual({ status: 201, body: { path: '/internal/reservations/order-lone' } });
    const answers = await Promise.all(['order-x1', 'order-y2'].map((id) => reserve(id, items)));
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    expect(calls.map((c) => c.path)).toEqual([
      '/internal/reservations/order-lone',
      '/internal/reservations',
      '/internal/reservations/order-x1',
      '/internal/reservations/order-y2',
    ]);
  });

  it('fails every order of a batch whose call failed', async () => {
    const { peers } = fakePeers(() => Promise.reject(new Error('product_unavailable')));
    const reserve = reserveInBatches(peers);
    const outcomes = await Promise.allSettled(['order-a1', 'order-b2'].map((id) => reserve(id, items)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });
  it('fails the orders a batch answer has no entry for, and passes a failed batch status on to each order', async () => {
    const partial = fakePeers(() => ({ status: 200, body: { results: [{ id: 'order-a1', status: 201, body: {} }] } }));
    const reserve = reserveInBatches(partial.peers);
    const outcomes = await Promise.allSettled(['order-a1', 'order-b2'].map((id) => reserve(id, items)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
    const failing = fakePeers(() => ({ status: 500, body: { error: { code: 'internal_error' } } }));
    const answers = await Promise.all(['order-c3', 'order-d4'].map((id) => reserveInBatches(failing.peers)(id, items)));
    expect(answers.map((a) => a.status)).toEqual([500, 500]);
  });

  it('sends the batch in the turn whose continuations asked for it, before any immediate that turn queued', async () => {
    const { peers, calls } = fakePeers(batchAnswer);
    const reserve = reserveInBatches(peers);
    const seen = await new Promise<{ callsBeforeNextImmediate: number; answers: Promise<PeerResponse[]> }>((done) =>
      setImmediate(() => {
        // As after a group commit: the orders' continuations run as its answers resolve, inside one immediate.
        let committed!: () => void;
        const commit = new Promise<void>((r) => (committed = r));
        const orders = ['order-a1', 'order-b2', 'order-c3'].map(async (id) => {
          await commit;
          await Promise.resolve();
          return reserve(id, items);
        });
        setImmediate(() => done({ callsBeforeNextImmediate: calls.length, answers: Promise.all(orders) }));
        committed();
      }),
    );
    expect(seen.callsBeforeNextImmediate).toBe(1);
    expect((await seen.answers).map((a) => a.status)).toEqual([201, 409, 201]);
  });
});

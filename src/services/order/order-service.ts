import { Router } from 'express';
import { z } from 'zod';
import { currentUser } from '../../kit/authorize-requests.js';
import { notFound } from '../../kit/http-error.js';
import type { ServiceDefinition } from '../shared/service-definition.js';
import { validateInput } from '../../kit/validate-input.js';
import { ORDER_MIGRATIONS, openOrderStore, type CapturedShipping } from './order-store.js';
import { openShippingCopyStore } from './shipping-copy-store.js';
import { groupCommit } from '../shared/group-commit.js';
import { sendJson } from '../shared/send-json.js';
import { reserveInBatches } from './reserve-stock.js';
import { placeOrder } from './place-order.js';
import { releaseStaleOrders } from './release-stale-orders.js';
import { STRICT_ROUTING } from '../../kit/create-service-app.js';
import { ownerAliveIn, ownerOf } from './order-owner.js';

const orderBody = z.object({
  items: z
    .array(
      z.object({
        productId: z.number().int('expected an integer id').positive(),
        quantity: z.number().int('expected a whole quantity').positive('expected a quantity of at least 1').max(10_000),
      }),
    )
    .min(1, 'expected at least one item')
    .max(50),
});
const idempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'expected 1 to 200 visible ASCII characters')
  .optional();
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, 'expected a cursor from a previous page')
    .optional(),
});
const orderId = z.uuid({ error: 'expected an order id' });

/** The shipping fields of USER_REGISTERED and PROFILE_UPDATED (docs/events.md). */
interface UserShippingPayload {
  userId: number;
  name: string;
  address: string;
  phone: string;
  profileVersion?: number;
}
const shippingFrom = (p: UserShippingPayload): CapturedShipping => ({
  name: p.name,
  address: p.address,
  phone: p.phone ?? '',
  profileVersion: p.profileVersion ?? 0,
});

/** The order service: places orders against stock held by the product service, idempotently; lists a user's orders. */
export const orderService: ServiceDefinition = {
  kind: 'order',
  migrations: ORDER_MIGRATIONS,
  create({ id, db, peers, resolver, auth, log, cluster, outbox }) {
    const self = { id, pid: process.pid };
    const ownerAlive = ownerAliveIn(resolver, self);
    const store = openOrderStore(db, outbox);
    const shippingCopy = openShippingCopyStore(db);
    // Concurrent orders share SQLite commits (each order's writes stay isolated in a savepoint).
    const write = groupCommit(db);
    const reserve = reserveInBatches(peers);
    const stopSweep = releaseStaleOrders({ store, peers, log, staleAfterMs: 30_000, everyMs: 5_000 });

    const routes = Router(STRICT_ROUTING);
    routes.post('/api/orders', auth.user, async (req, res) => {
      const { items } = validateInput(orderBody, req.body);
      const key = validateInput(idempotencyKey, req.headers['idempotency-key'], 'Idempotency-Key');
      const { userId } = currentUser(req);
      const result = await placeOrder({
        store,
        peers,
        log,
        userId,
        items,
        idempotencyKey: key,
        waitForPeerMs: cluster.http.peerTimeoutMs * 4 + 1000,
        owner: ownerOf(self.id, self.pid),
        ownerAlive,
        shippingCopy,
        write,
        reserve,
      });
      if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
      sendJson(res, 201, { order: result.order });
    });
    routes.get('/api/orders', auth.user, (req, res) => {
      const caller = currentUser(req);
      const query = validateInput(listQuery, req.query, 'query');
      const rows = store.list({
        userId: caller.role === 'admin' ? undefined : caller.userId,
        afterSeq: Number(query.cursor ?? 0),
        limit: query.limit + 1,
      });
      const more = rows.length > query.limit;
      const page = more ? rows.slice(0, query.limit) : rows;
      sendJson(res, 200, { items: page.map((r) => r.order), nextCursor: more ? String(page.at(-1)!.seq) : null });
    });
    routes.get('/api/orders/:id', auth.user, (req, res) => {
      const caller = currentUser(req);
      const parsed = orderId.safeParse(req.params.id);
      const order = parsed.success ? store.get(parsed.data) : undefined;
      if (!order || (caller.role !== 'admin' && order.userId !== caller.userId)) throw notFound('order');
      sendJson(res, 200, { order });
    });
    return {
      routes,
      close: stopSweep,
      warmPeers: true,
      consumes: {
        handlers: {
          USER_REGISTERED: (event) => {
            const p = event.payload as Partial<UserShippingPayload>;
            // Events from before the payload carried the address have no details to keep; the user service is asked.
            if (typeof p.userId === 'number' && typeof p.address === 'string') shippingCopy.remember(p.userId, shippingFrom(p as UserShippingPayload));
          },
          PROFILE_UPDATED: (event) => {
            const p = event.payload as UserShippingPayload;
            shippingCopy.remember(p.userId, shippingFrom(p));
            const changed = store.updateShipping(p.userId, { name: p.name, address: p.address, phone: p.phone }, shippingFrom(p).profileVersion);
            if (changed) log.info('shipping details updated from profile', { userId: p.userId, orders: changed });
          },
        },
      },
    };
  },
};

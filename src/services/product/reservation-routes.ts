import { Router } from 'express';
import { z } from 'zod';
import type { Authorizer } from '../../kit/authorize-requests.js';
import { STRICT_ROUTING } from '../../kit/create-service-app.js';
import type { Logger } from '../../kit/create-logger.js';
import type { ServiceMetrics } from '../../kit/create-metrics.js';
import { validateInput } from '../../kit/validate-input.js';
import type { GroupedWrite } from '../shared/group-commit.js';
import { sendJson } from '../shared/send-json.js';
import type { ProductStore, ReserveResult } from './product-store.js';

/** Most reservations one batch call carries. */
export const RESERVATION_BATCH_MAX = 100;

const items = z
  .array(z.object({ productId: z.number().int().positive(), quantity: z.number().int().positive().max(1_000_000_000) }))
  .min(1)
  .max(100);
const reservationId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'expected a reservation id');
const reserveBody = z.object({ items });
const batchBody = z.object({
  reservations: z
    .array(z.object({ id: reservationId, items }))
    .min(1)
    .max(RESERVATION_BATCH_MAX),
});

/** A reservation's answer as status and JSON body: the same for one call and for its entry in a batch. */
export interface ReservationAnswer {
  status: number;
  body: unknown;
}

const failure = (status: number, code: string, message: string, details?: unknown): ReservationAnswer => ({
  status,
  body: { error: details === undefined ? { code, message } : { code, message, details } },
});

function answerOf(id: string, result: ReserveResult): ReservationAnswer {
  switch (result.status) {
    case 'reserved':
      return { status: result.replayed ? 200 : 201, body: { reservation: { id, items: result.items } } };
    case 'released':
      return failure(409, 'reservation_released', 'this reservation was already released');
    case 'insufficient_stock':
      return failure(409, 'insufficient_stock', `not enough stock for product ${result.productId}`, {
        productId: result.productId,
        requested: result.requested,
        available: result.available,
      });
    case 'product_not_found':
      return failure(422, 'product_not_found', `product ${result.productId} does not exist`, { productId: result.productId });
  }
}

/**
 * Stock reservations for the order service (cluster token only): `PUT /internal/reservations/:id` takes the stock of
 * one order, `PUT /internal/reservations {reservations: [{id, items}]}` of many at once (one HTTP exchange and one
 * commit for all; each entry answered as its own call would be), `DELETE …/:id` gives it
 * back. Each is idempotent by reservation id.
 */
export function reservationRoutes(options: { store: ProductStore; write: GroupedWrite; auth: Authorizer; log: Logger; metrics: ServiceMetrics }): Router {
  const { store, write, auth, log } = options;
  const counted = options.metrics.counter('ecom_reservations_total', 'Stock reservations answered, by outcome.', ['outcome']);
  const reserveAll = async (requests: ReadonlyArray<{ id: string; items: Array<{ productId: number; quantity: number }> }>): Promise<ReservationAnswer[]> => {
    // Enqueued in one turn, so they share one commit.
    const results = await Promise.all(requests.map((r) => write(() => store.reserve(r.id, r.items))));
    return results.map((result, i) => {
      counted.inc({ outcome: result.status === 'reserved' ? (result.replayed ? 'replayed' : 'reserved') : 'refused' });
      return answerOf(requests[i]!.id, result);
    });
  };

  const routes = Router(STRICT_ROUTING);
  routes.put('/internal/reservations', auth.cluster, async (req, res) => {
    const { reservations } = validateInput(batchBody, req.body);
    const answers = await reserveAll(reservations);
    sendJson(res, 200, { results: answers.map((a, i) => ({ id: reservations[i]!.id, ...a })) });
  });
  routes.put('/internal/reservations/:id', auth.cluster, async (req, res) => {
    const id = validateInput(reservationId, req.params.id, 'id');
    const body = validateInput(reserveBody, req.body);
    const [answer] = await reserveAll([{ id, items: body.items }]);
    sendJson(res, answer!.status, answer!.body);
  });
  routes.delete('/internal/reservations/:id', auth.cluster, async (req, res) => {
    const id = validateInput(reservationId, req.params.id, 'id');
    const productIds = await write(() => store.release(id));
    if (productIds.length > 0) log.info('reservation released', { reservationId: id });
    res.status(204).end();
  });
  return routes;
}

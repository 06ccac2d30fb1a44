import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EcomError } from '../../common/ecom-error.js';
import type { PeerClient } from '../shared/call-peers.js';
import type { Logger } from '../../kit/create-logger.js';
import { httpError } from '../../kit/http-error.js';
import type { CapturedShipping, Order, OrderItem, OrderStore } from './order-store.js';
import type { ShippingCopyStore } from './shipping-copy-store.js';
import { retryWhileBusy } from '../shared/retry-while-busy.js';
import type { GroupedWrite } from '../shared/group-commit.js';
import { reserveOneByOne, type ReserveStock } from './reserve-stock.js';

/** The outcome of placing an order: the order, and whether it is a replay of an earlier request with the same key. */
export interface PlacedOrder {
  order: Order;
  replayed: boolean;
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: unknown };
}

/** Gives a reservation's stock back; false when the product service could not be reached (recovery retries later). */
export async function releaseReservation(peers: PeerClient, id: string): Promise<boolean> {
  try {
    const res = await peers.call('product', { method: 'DELETE', path: `/internal/reservations/${id}`, idempotent: true });
    return res.status === 204;
  } catch {
    return false;
  }
}

/**
 * The user's shipping details: from the local copy kept from user events when there is one, otherwise asked of the
 * user service (and then kept). A copy older than a profile update is corrected on the placed order by that update's
 * event (`updateShipping`), so an order never keeps older details than the user's newest profile.
 */
async function shippingOf(peers: PeerClient, userId: number, copy: ShippingCopyStore | undefined): Promise<CapturedShipping> {
  const known = copy?.get(userId);
  if (known) return known;
  const res = await peers.call('user', { method: 'GET', path: `/internal/users/${userId}`, idempotent: true });
  if (res.status === 404) throw httpError(401, 'unknown_user', 'the account of this token no longer exists');
  if (res.status !== 200) throw httpError(503, 'user_unavailable', `user service answered ${res.status}`);
  const { user } = res.body as { user: { name: string; address: string; phone: string; profileVersion?: number } };
  const shipping = { name: user.name, address: user.address, phone: user.phone, profileVersion: user.profileVersion ?? 0 };
  // Only a copy: when it cannot be written, the next order asks again.
  if (copy) void retryWhileBusy(() => copy.remember(userId, shipping)).catch(() => undefined);
  return shipping;
}

/**
 * Places an order as a small saga: record a pending attempt (the idempotency lock), look up shipping details,
 * reserve all items' stock in one step at the product service (idempotent by order id), then persist the order.
 * Whatever fails after stock may have been taken gives it back; an attempt whose process died is released by
 * `releaseStaleOrders`. A repeated Idempotency-Key returns the first order and takes no stock twice.
 */
export async function placeOrder(input: {
  store: OrderStore;
  peers: PeerClient;
  log: Logger;
  userId: number;
  items: ReadonlyArray<{ productId: number; quantity: number }>;
  idempotencyKey?: string;
  waitForPeerMs: number;
  /** This process, as recorded in the attempts it starts (`<instance id>:<pid>`). */
  owner?: string;
  /** Whether the process that started an attempt still lives; a retry takes over at once from a dead one. */
  ownerAlive?: (owner: string) => boolean;
  /** The local copy of users' shipping details (from user events); without it the user service is always asked. */
  shippingCopy?: ShippingCopyStore;
  /** How the order's writes run (the service shares commits between concurrent orders, `groupCommit`); default one each. */
  write?: GroupedWrite;
  /** How stock is reserved at the product service (the service batches concurrent orders); default one call each. */
  reserve?: ReserveStock;
}): Promise<PlacedOrder> {
  const { store, peers, log, userId, idempotencyKey } = input;
  const write: GroupedWrite = input.write ?? retryWhileBusy;
  const reserve = input.reserve ?? reserveOneByOne(peers);
  const canonical = [...input.items].sort((a, b) => a.productId - b.productId || a.quantity - b.quantity);
  const requestHash = createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
  const deadline = Date.now() + input.waitForPeerMs;

  for (;;) {
    const id = randomUUID();
    const begun = await write(() => store.begin({ id, userId, idempotencyKey, requestHash, owner: input.owner }));
    if (begun !== 'started') {
      if (begun.requestHash !== requestHash) {
        throw httpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different order');
      }
      if (begun.status === 'placed') return { order: begun.order, replayed: true };
      // The first request gave up (or died) with its stock possibly taken: give it back and try afresh. The claim
      // comes first, so a first request that is merely slow can no longer place the order whose stock goes back.
      const ownerGone = begun.owner !== '' && input.ownerAlive !== undefined && !input.ownerAlive(begun.owner);
      if (begun.releasing || begun.abandoned || ownerGone || Date.now() - Date.parse(begun.createdAt) > input.waitForPeerMs) {
        if (!(await write(() => store.beginRelease(begun.id)))) continue;
        if (await releaseReservation(peers, begun.id)) {
          await write(() => store.discard(begun.id));
          continue;
        }
        if (Date.now() > deadline) throw httpError(503, 'product_unavailable', 'the product service does not answer');
        await sleep(100);
        continue;
      }
      if (Date.now() > deadline) {
        throw httpError(409, 'order_in_progress', 'an order with this Idempotency-Key is still being placed; retry shortly');
      }
      await sleep(25);
      continue;
    }
    return { order: await completeAttempt(id), replayed: false };
  }

  /** Gives the attempt's stock back and forgets it, or marks it abandoned when the product service is away. */
  async function giveBack(id: string): Promise<void> {
    const released = await releaseReservation(peers, id);
    await write(() => (released ? store.discard(id) : store.abandon(id)));
  }

  async function completeAttempt(id: string): Promise<Order> {
    let shipping: CapturedShipping;
    try {
      shipping = await shippingOf(peers, userId, input.shippingCopy);
    } catch (err) {
      await write(() => store.discard(id));
      throw err;
    }
    let reserved: { status: number; body: unknown };
    try {
      reserved = await reserve(id, input.items);
    } catch (err) {
      await giveBack(id);
      throw err;
    }
    if (reserved.status === 201 || reserved.status === 200) {
      const items = (reserved.body as { reservation: { items: OrderItem[] } }).reservation.items;
      try {
        const order = await write(() => store.place(id, items, shipping));
        log.info('order placed', { orderId: id, userId, total: order.total });
        return order;
      } catch (err) {
        await giveBack(id);
        throw new EcomError('order_not_saved', 'the order could not be saved; no stock was taken', { status: 500, cause: err });
      }
    }
    await write(() => store.discard(id));
    const error = (reserved.body as ErrorBody | undefined)?.error;
    if (reserved.status === 409 && error?.code === 'insufficient_stock') {
      throw httpError(409, 'insufficient_stock', error.message ?? 'not enough stock', error.details);
    }
    if (reserved.status === 422 && error?.code === 'product_not_found') {
      throw httpError(422, 'product_not_found', error.message ?? 'unknown product', error.details);
    }
    throw httpError(502, 'product_failed', `product service answered ${reserved.status}${error?.code ? ` ${error.code}` : ''}`);
  }
}

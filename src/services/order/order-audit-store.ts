import type { Db } from '../shared/open-database.js';

/** One order as `ecom chaos` audits it. */
export interface AuditedOrder {
  id: string;
  idempotencyKey: string | null;
  status: string;
  items: Array<{ productId: number; quantity: number }>;
}

/** Read-only audit of order.db for `ecom chaos`: the newest sequence number, and orders and attempts after one. */
export function auditOrders(db: Db, afterSeq: number): { lastSeq: number; orders: AuditedOrder[] } {
  const lastSeq = (db.prepare('SELECT coalesce(max(seq), 0) FROM orders').pluck().get() as number) ?? 0;
  const rows = db.prepare('SELECT id, idempotency_key AS idempotencyKey, status FROM orders WHERE seq > ? ORDER BY seq').all(afterSeq) as Array<
    Omit<AuditedOrder, 'items'>
  >;
  const itemsOf = db.prepare('SELECT product_id AS productId, quantity FROM order_items WHERE order_id = ? ORDER BY product_id');
  return { lastSeq, orders: rows.map((r) => ({ ...r, items: itemsOf.all(r.id) as AuditedOrder['items'] })) };
}

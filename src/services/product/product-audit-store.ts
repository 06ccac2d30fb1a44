import type { Db } from '../shared/open-database.js';

/** Read-only audit of product.db for `ecom chaos`: each product's stock, and the items of held reservations by id. */
export function auditProducts(db: Db): { stock: Map<number, number>; held: Map<string, Array<{ productId: number; quantity: number }>> } {
  const stock = new Map((db.prepare('SELECT id, stock FROM products').all() as Array<{ id: number; stock: number }>).map((r) => [r.id, r.stock]));
  const held = new Map<string, Array<{ productId: number; quantity: number }>>();
  const rows = db
    .prepare(
      `SELECT r.id AS id, i.product_id AS productId, i.quantity AS quantity FROM reservations r
       JOIN reservation_items i ON i.reservation_id = r.id WHERE r.status = 'held'`,
    )
    .all() as Array<{ id: string; productId: number; quantity: number }>;
  for (const r of rows) held.set(r.id, [...(held.get(r.id) ?? []), { productId: r.productId, quantity: r.quantity }]);
  return { stock, held };
}

import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { sqliteBinding } from '../common/load-sqlite-addon.js';
import { auditOrders, type AuditedOrder } from '../services/order/order-audit-store.js';
import { auditProducts } from '../services/product/product-audit-store.js';
import { firstOf, type Invariant } from './chaos-invariant.js';

/** What the product and order databases say at one moment. */
export interface StockLedger {
  stock: Map<number, number>;
  held: Map<string, Array<{ productId: number; quantity: number }>>;
  lastOrderSeq: number;
  /** Orders and attempts recorded after the `afterSeq` the ledger was read with. */
  orders: AuditedOrder[];
}

function readOnly<T>(file: string, read: (db: Database.Database) => T, empty: T): T {
  if (!existsSync(file)) return empty;
  const db = new Database(file, { readonly: true, timeout: 5000, ...sqliteBinding() });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Reads stock, held reservations and orders after `afterSeq` straight from the SQLite files (read-only). */
export function readStockLedger(files: { product: string; order: string }, afterSeq: number): StockLedger {
  const products = readOnly(files.product, auditProducts, { stock: new Map(), held: new Map() });
  const orders = readOnly(files.order, (db) => auditOrders(db, afterSeq), { lastSeq: 0, orders: [] });
  return { ...products, lastOrderSeq: orders.lastSeq, orders: orders.orders };
}

const PLACED = new Set(['placed', 'shipped']);

/**
 * Stock conservation over the run, per product: stock before = stock now + units of the orders placed during the run
 * + units still held for attempts in flight. Also every placed order still holds exactly its reservation.
 */
export function checkStock(before: StockLedger, after: StockLedger): Invariant {
  const accounted = new Map<number, number>();
  const add = (productId: number, units: number): void => void accounted.set(productId, (accounted.get(productId) ?? 0) + units);
  const problems: string[] = [];
  for (const order of after.orders) {
    if (PLACED.has(order.status)) {
      for (const item of order.items) add(item.productId, item.quantity);
      const held = after.held.get(order.id);
      const same = held && JSON.stringify([...held].sort((a, b) => a.productId - b.productId)) === JSON.stringify(order.items);
      if (!same) problems.push(`order ${order.id} is placed but its stock is ${held ? 'reserved differently' : 'not held'}`);
    } else if (order.status === 'pending') {
      for (const item of after.held.get(order.id) ?? []) add(item.productId, item.quantity);
    }
  }
  let touched = 0;
  for (const [productId, was] of before.stock) {
    const now = after.stock.get(productId);
    if (now === undefined) continue;
    const used = accounted.get(productId) ?? 0;
    if (was !== now || used > 0) touched++;
    if (was !== now + used)
      problems.push(
        `product ${productId}: ${was} before ≠ ${now} now + ${used} in orders (${was - now - used > 0 ? 'lost' : 'oversold'} ${Math.abs(was - now - used)})`,
      );
  }
  return {
    name: 'stock conservation',
    ok: problems.length === 0,
    detail: problems.length === 0 ? `${touched} products touched, every unit accounted for` : `${problems.length} discrepancies`,
    ...(problems.length ? { items: firstOf(problems) } : {}),
  };
}

/** Every order answered 201 exists exactly once, under its Idempotency-Key, placed. */
export function checkOrders(answeredKeys: readonly string[], after: StockLedger): Invariant {
  const byKey = new Map<string, AuditedOrder[]>();
  for (const order of after.orders) {
    if (order.idempotencyKey === null) continue;
    byKey.set(order.idempotencyKey, [...(byKey.get(order.idempotencyKey) ?? []), order]);
  }
  const problems: string[] = [];
  for (const key of answeredKeys) {
    const found = (byKey.get(key) ?? []).filter((o) => PLACED.has(o.status));
    if (found.length !== 1) problems.push(`key ${key}: answered 201 but ${found.length} placed orders`);
  }
  return {
    name: 'orders',
    ok: problems.length === 0,
    detail:
      problems.length === 0
        ? `${answeredKeys.length} orders answered 201, each placed exactly once`
        : `${problems.length} answered orders missing or duplicated`,
    ...(problems.length ? { items: firstOf(problems) } : {}),
  };
}

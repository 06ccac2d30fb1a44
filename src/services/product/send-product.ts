import type { Response } from 'express';
import type { Product } from './product-store.js';

/** Answers `{product}` as JSON with its version as ETag, headers and body in one write; `stock` as read now. */
export type SendProduct = (res: Response, product: Product, status?: number, stock?: number) => void;

/**
 * Builds `sendProduct`. Cached products are frozen and shared until invalidated, so their JSON is built once per
 * cached copy and stock: a reservation invalidates no cached product (the GET route answers the stock it reads at that
 * moment), and the body is built again only when that stock moved.
 */
export function productSender(): SendProduct {
  const bodies = new WeakMap<Product, { stock: number; body: string }>();
  return (res, product, status = 200, stock = product.stock) => {
    let memo = bodies.get(product);
    if (memo?.stock !== stock) {
      memo = { stock, body: JSON.stringify({ product: stock === product.stock ? product : { ...product, stock } }) };
      if (Object.isFrozen(product)) bodies.set(product, memo);
    }
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(memo.body),
      ETag: `"${product.version}"`,
    });
    res.end(memo.body);
  };
}

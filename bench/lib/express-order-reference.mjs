// The reference of the checkout bench: ONE express process with ONE SQLite file (WAL, synchronous NORMAL, as the
// services) answering the calls of `ecom overload --scenario checkout` — product listing, register, login, and
// POST /api/orders, which checks the Idempotency-Key, decrements stock and inserts the order in one transaction.
// Usage: node bench/lib/express-order-reference.mjs PORT DBFILE [products]
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import express from 'express';

const [port, file, count = '100'] = process.argv.slice(2);
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`CREATE TABLE IF NOT EXISTS products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price INTEGER NOT NULL, stock INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, password TEXT, name TEXT, address TEXT, phone TEXT);
  CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, user_id INTEGER, idempotency_key TEXT, total INTEGER, shipping TEXT, created_at TEXT,
    UNIQUE (user_id, idempotency_key));
  CREATE TABLE IF NOT EXISTS order_items (order_id TEXT, product_id INTEGER, quantity INTEGER, unit_price INTEGER, PRIMARY KEY (order_id, product_id));`);
const seed = db.prepare('INSERT INTO products (name, price, stock) VALUES (?, ?, 1000000)');
db.transaction(() => {
  for (let i = 1; i <= Number(count); i++) seed.run(`Reference product ${i}`, 100 + i);
})();
const page = db.prepare('SELECT id, name, price, stock FROM products WHERE id > ? ORDER BY id LIMIT ?');
const register = db.prepare('INSERT INTO users (email, password, name, address, phone) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
const login = db.prepare('SELECT id FROM users WHERE email = ? AND password = ?').pluck();
const userOf = db.prepare('SELECT name, address, phone FROM users WHERE id = ?');
const byKey = db.prepare('SELECT id, total FROM orders WHERE user_id = ? AND idempotency_key = ?');
const priceOf = db.prepare('SELECT price FROM products WHERE id = ?').pluck();
const take = db.prepare('UPDATE products SET stock = stock - ? WHERE id = ? AND stock >= ?');
const insertOrder = db.prepare('INSERT INTO orders (id, user_id, idempotency_key, total, shipping, created_at) VALUES (?, ?, ?, ?, ?, ?)');
const insertItem = db.prepare('INSERT INTO order_items (order_id, product_id, quantity, unit_price) VALUES (?, ?, ?, ?)');
const place = db.transaction((userId, key, items) => {
  const existing = byKey.get(userId, key);
  if (existing) return { order: existing, replayed: true };
  const id = randomUUID();
  let total = 0;
  const lines = [];
  for (const { productId, quantity } of items) {
    const price = priceOf.get(productId);
    if (price === undefined || take.run(quantity, productId, quantity).changes !== 1) throw Object.assign(new Error('stock'), { status: 409 });
    total += price * quantity;
    lines.push({ productId, quantity, unitPrice: price });
  }
  insertOrder.run(id, userId, key, total, JSON.stringify(userOf.get(userId)), new Date().toISOString());
  for (const l of lines) insertItem.run(id, l.productId, l.quantity, l.unitPrice);
  return { order: { id, userId, items: lines, total, status: 'placed' }, replayed: false };
});

const app = express();
app.use(express.json());
app.get('/api/products', (req, res) => {
  const limit = Number(req.query.limit ?? 20);
  const after = req.query.cursor ? Number(Buffer.from(String(req.query.cursor), 'base64url').toString()) : 0;
  const rows = page.all(after, limit + 1);
  const items = rows.slice(0, limit);
  res.json({ items, nextCursor: rows.length > limit ? Buffer.from(String(items.at(-1).id)).toString('base64url') : null });
});
app.post('/api/users/register', (req, res) => {
  const { email, password, name, address, phone } = req.body;
  res.status(register.run(email, password, name, address ?? '', phone ?? '').changes ? 201 : 409).json({});
});
app.post('/api/users/login', (req, res) => {
  const id = login.get(req.body.email, req.body.password);
  if (id === undefined) return res.status(401).json({});
  res.json({ token: String(id) });
});
app.post('/api/orders', (req, res) => {
  const userId = Number((req.headers.authorization ?? '').replace('Bearer ', ''));
  try {
    const result = place(userId, req.headers['idempotency-key'] ?? null, req.body.items);
    res.status(201).json({ order: result.order });
  } catch (err) {
    res.status(err.status ?? 500).json({ error: { code: 'failed' } });
  }
});
app.listen(Number(port), '127.0.0.1', () => console.log('ready'));

import { createServer } from 'node:net';

/**
 * Ports for test servers come from a block below the kernel's ephemeral range (so an outgoing connection can never
 * take a port between our check and the server's bind), a separate block per vitest worker, handed out in turn
 * (so a port is not given again while an earlier test's server or its lingering clients may still use it).
 * Only the first HANDED_OUT ports of a block are handed out: a test cluster's daemon gives scaled and replacement
 * instances the next free ports above its highest, and those must stay in the block of the worker that runs it (the
 * daemon's health probes of such an instance would otherwise reach a raw test server of the other worker).
 */
const BLOCK = 1600;
const HANDED_OUT = 1200;
const worker = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 1);
/** `ECOM_TEST_PORT_SLOT` (0–5) moves a whole run to its own range, so two checkouts can run their tests at once. */
const slot = Number(process.env.ECOM_TEST_PORT_SLOT ?? 0) % 6;
const base = 20_000 - slot * 2 * BLOCK + ((worker - 1) % 2) * BLOCK;
let cursor = Math.floor(Math.random() * HANDED_OUT);

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago and that no other test of this run was handed recently. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < HANDED_OUT; tries++) {
    const port = base + (cursor++ % HANDED_OUT);
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port in ${base}-${base + HANDED_OUT - 1}`);
}

/** `n` distinct free ports. */
export async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) ports.push(await freePort());
  return ports;
}

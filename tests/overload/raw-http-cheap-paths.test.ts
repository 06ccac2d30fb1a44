import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { RequestSpec } from '../../src/overload/build-scenario.js';
import { createRawHttpPool } from '../../src/overload/raw-http-pool.js';
import { startRawHttpServer } from '../helpers/start-raw-http-server.js';
import { useClosing } from '../helpers/use-closing.js';

const GET: RequestSpec = { method: 'GET', path: '/p', headers: {}, idempotent: true };
const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

describe('the cheap paths of the raw pool: one shared read buffer, one lazy deadline timer per connection', () => {
  const use = useClosing();

  it('keeps the half of a head that arrived while other connections reuse the read buffer', async () => {
    const sockets: Socket[] = [];
    const server = use(await startRawHttpServer((socket) => sockets.push(socket)));
    const pool = use(createRawHttpPool(server.origin, { connections: 2, timeoutMs: 5000 }));
    await pool.warm();
    const a = pool.exchange(GET);
    const b = pool.exchange(GET);
    while (sockets.length < 2) await tick(5);
    const [first, second] = sockets as [Socket, Socket];
    // Half of a head on one connection, a whole response on the other (the same buffer is read into), then the rest.
    first.write('HTTP/1.1 200 OK\r\nX-Instance-Id: produ');
    await tick();
    second.write(`HTTP/1.1 503 Service Unavailable\r\nX-Instance-Id: ${'z'.repeat(60)}\r\nX-Cache-Status: MISS\r\nContent-Length: 2\r\n\r\nno`);
    await tick();
    first.write('ct-7\r\nContent-Length: 5\r\n\r\nhel');
    await tick();
    first.write('lo');
    // Which request went over which connection is the pool's choice: the answers are told apart by their content.
    const answers = (await Promise.all([a, b])).sort((x, y) => x.status - y.status);
    expect(answers).toEqual([
      { status: 200, instance: 'product-7' },
      { status: 503, instance: 'z'.repeat(60), cache: 'MISS' },
    ]);
  });

  it('gives every request its own timeout on a connection busy for longer than it (the deadline moves with each request)', async () => {
    const server = use(await startRawHttpServer((socket) => setTimeout(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), 60)));
    const pool = use(createRawHttpPool(server.origin, { connections: 1, timeoutMs: 250 }));
    // Eight answers 60 ms apart: the connection is busy ~500 ms, twice the timeout, and no request waits 250 ms.
    for (let i = 0; i < 8; i++) expect((await pool.exchange(GET)).status).toBe(200);
    expect(server.connections()).toBe(1);
  });

  it('still fails the one request that waits longer than the timeout, close to the timeout', async () => {
    let n = 0;
    const server = use(
      await startRawHttpServer((socket) => {
        const delay = ++n === 3 ? 10_000 : 20;
        setTimeout(() => !socket.destroyed && socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), delay);
      }),
    );
    const pool = use(createRawHttpPool(server.origin, { connections: 1, timeoutMs: 300 }));
    expect((await pool.exchange(GET)).status).toBe(200);
    expect((await pool.exchange(GET)).status).toBe(200);
    const started = performance.now();
    await expect(pool.exchange(GET)).rejects.toMatchObject({ code: 'TIMEOUT' });
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(295);
    expect(waited).toBeLessThan(1500);
  });
});

import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestSpec } from '../../src/overload/build-scenario.js';
import { createRawHttpPool, type RawHttpPool } from '../../src/overload/raw-http-pool.js';

const GET: RequestSpec = { method: 'GET', path: '/p', headers: {}, idempotent: true };

/** A raw TCP server: `reply(socket, nthOnConnection, head)` answers each request head it receives. Counts connections. */
async function rawServer(reply: (socket: Socket, nth: number, head: string) => void) {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    let nth = 0;
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) break;
        buffered = buffered.slice(end + 4 + length);
        reply(socket, ++nth, head);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    connections: () => connections,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

async function httpServer(handler: Parameters<typeof createHttpServer>[1]) {
  let connections = 0;
  const server: HttpServer = createHttpServer(handler);
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('the minimal HTTP/1.1 pool of the load engine', () => {
  const cleanups: Array<() => unknown> = [];
  let pool: RawHttpPool | undefined;
  afterEach(async () => {
    pool?.close();
    pool = undefined;
    for (const c of cleanups.splice(0)) await c();
  });
  const use = <T extends { close(): Promise<void> }>(s: T): T => {
    cleanups.push(() => s.close());
    return s;
  };

  it('sends method, path, Host, headers and body; reads status, X-Instance-Id and X-Cache-Status whatever their case', async () => {
    const seen: Array<{ method?: string; url?: string; host?: string; auth?: string; body: string }> = [];
    const server = use(
      await httpServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          seen.push({ method: req.method, url: req.url, host: req.headers.host, auth: req.headers.authorization, body });
          res.writeHead(201, { 'x-INSTANCE-id': 'order-3', 'X-Cache-Status': 'BYPASS', 'content-type': 'application/json' });
          res.end('{"id":1}');
        });
      }),
    );
    pool = createRawHttpPool(server.origin, { connections: 1, timeoutMs: 2000 });
    const post: RequestSpec = { method: 'POST', path: '/api/orders?x=1', headers: { authorization: 'Bearer T', 'content-type': 'application/json' }, body: '{"items":[]}', idempotent: false };
    expect(await pool.exchange(post)).toEqual({ status: 201, instance: 'order-3', cache: 'BYPASS' });
    expect(await pool.exchange(post)).toEqual({ status: 201, instance: 'order-3', cache: 'BYPASS' });
    expect(seen).toEqual([
      { method: 'POST', url: '/api/orders?x=1', host: new URL(server.origin).host, auth: 'Bearer T', body: '{"items":[]}' },
      { method: 'POST', url: '/api/orders?x=1', host: new URL(server.origin).host, auth: 'Bearer T', body: '{"items":[]}' },
    ]);
    expect(server.connections()).toBe(1);
  });

  it('reads chunked bodies (with trailers) and large bodies arriving in many pieces, then reuses the connection', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const server = use(
      await httpServer((req, res) => {
        if (req.url === '/chunked') {
          res.setHeader('Trailer', 'X-Done');
          res.write('first,');
          setTimeout(() => {
            res.write('second');
            res.addTrailers({ 'X-Done': 'yes' });
            res.end();
          }, 5);
        } else {
          res.setHeader('content-length', big.length);
          res.end(big);
        }
      }),
    );
    pool = createRawHttpPool(server.origin, { connections: 1, timeoutMs: 5000 });
    for (const path of ['/chunked', '/big', '/chunked', '/big']) {
      expect(await pool.exchange({ ...GET, path })).toEqual({ status: 200 });
    }
    expect(server.connections()).toBe(1);
  });

  it('parses a response head split into single bytes', async () => {
    const server = use(
      await rawServer((socket) => {
        const text = 'HTTP/1.1 200 OK\r\nX-Instance-Id: product-9\r\nContent-Length: 5\r\n\r\nhello';
        let i = 0;
        const tick = setInterval(() => {
          if (socket.destroyed) return clearInterval(tick);
          socket.write(text[i++]!);
          if (i === text.length) clearInterval(tick);
        }, 1);
      }),
    );
    pool = createRawHttpPool(server.origin, { connections: 1, timeoutMs: 5000 });
    expect(await pool.exchange(GET)).toEqual({ status: 200, instance: 'product-9' });
    expect(await pool.exchange(GET)).toEqual({ status: 200, instance: 'product-9' });
    expect(server.connections()).toBe(1);
  });

  it('knows 204 and 304 have no body', async () => {
    const server = use(
      await rawServer((socket, nth) => {
        socket.write(nth % 2 ? 'HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n' : 'HTTP/1.1 304 Not Modified\r\nETag: "3"\r\nContent-Length: 120\r\n\r\n');
      }),
    );
    pool = createRawHttpPool(server.origin, { connections: 1, timeoutMs: 2000 });
    expect((await pool.exchange(GET)).status).toBe(204);
    expect((await pool.exchange(GET)).status).toBe(304);
    expect((await pool.exchange(GET)).status).toBe(204);
    expect(server.connections()).toBe(1);
  });

  it('skips interim 1xx responses and reports the final one', async () => {
    const server = use(
      await httpServer((_req, res) => {
        res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
        res.setHeader('X-Instance-Id', 'product-1');
        res.end('ok');
      }),
    );
    pool = createRawHttpPool(server.origin, { connections: 1, timeoutMs: 2000 });
    expect(await pool.exchange(GET)).toEqual({ status: 200, instance: 'product-1' });
    expect(await pool.exchange(GET)).toEqual({ status: 200, instance: 'product-1' });
    expect(server.connections()).toBe(1);
  });

  it('does not reuse a connection the server asked to close (Connection: close, or HTTP/1.0 without keep-alive)', async () => {
    const server = use(
      await rawServer((socket, nth) => {
        // The server keeps the socket open: only the client's respect of the framing keeps it from reusing it.
        if (nth > 1) socket.destroy();
        else if (socket.remotePort! % 2) socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
        else socket.write('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok');
      }),
    );
    pool = createRawHttpPool(server.origin, { connections: 1, timeoutMs: 2000 });
    for (let i = 0; i < 6; i++) expect((await pool.exchange(GET)).status).toBe(200);
    expect(server.connections()).toBe(6);
  });

  it('reads a body delimited by the end of the connection', async () => {
    const server = use(
      await rawServer((socket) => {
        socket.write('HTTP/1.1 200 OK\r\nX-Cache-Status: MISS\r\n\r\nsome body');
        setTimeout(() => socket.end(), 5);
      }),
    );
    pool = createRawHttpPool(server.origin, { connections: 1, timeoutMs: 2000 });
    expect(await pool.exchange(GET)).toEqual({ status: 200, cache: 'MISS' });
    expect(await pool.exchange(GET)).toEqual({ status: 200, cache: 'MISS' });
    expect(server.connections()).toBe(2);
  });

  it('opens at most `connections` sockets and queues the rest', async () => {
    let active = 0;
    let peak = 0;
    const server = use(
      await httpServer((_req, res) => {
        peak = Math.max(peak, ++active);
        setTimeout(() => {
          active--;
          res.end('ok');
        }, 10);
      }),
    );
    pool = createRawHttpPool(server.origin, { connections: 3, timeoutMs: 5000 });
    const results = await Promise.all(Array.from({ length: 30 }, () => pool!.exchange(GET)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(server.connections()).toBe(3);
    expect(peak).toBe(3);
  });

  it('fails a request with no answer in time as TIMEOUT, and carries on with a fresh connection', async () => {
    let hung = false;
    const server = use(
      await rawServer((socket) => {
        if (!hung) {
          hung = true; // never answers the very first request
          return;
        }
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      }),
    );
    pool = createRawHttpPool(server.origin, { connections: 1, timeoutMs: 200 });
    await expect(pool.exchange(GET)).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect((await pool.exchange(GET)).status).toBe(200);
    expect(server.connections()).toBe(2);
  });

  it('fails a response it cannot frame as EPROTO rather than guessing', async () => {
    const server = use(await rawServer((socket) => socket.write('garbage\r\n\r\n')));
    pool = createRawHttpPool(server.origin, { connections: 1, timeoutMs: 2000 });
    await expect(pool.exchange(GET)).rejects.toMatchObject({ code: 'EPROTO' });
  });

  it('closes its connections on close() and refuses new requests', async () => {
    const server = use(await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')));
    pool = createRawHttpPool(server.origin, { connections: 2, timeoutMs: 2000 });
    await Promise.all([pool.exchange(GET), pool.exchange(GET)]);
    expect(server.open()).toBe(2);
    pool.close();
    await expect(pool.exchange(GET)).rejects.toMatchObject({ code: 'UND_ERR_CLOSED' });
    await new Promise((r) => setTimeout(r, 50));
    expect(server.open()).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import type { RequestSpec } from '../../src/overload/build-scenario.js';
import { createRawHttpPool } from '../../src/overload/raw-http-pool.js';
import { startHttpTarget } from '../helpers/start-http-target.js';
import { startRawHttpServer } from '../helpers/start-raw-http-server.js';
import { useClosing } from '../helpers/use-closing.js';

const GET: RequestSpec = { method: 'GET', path: '/p', headers: {}, idempotent: true };

describe('how the load engine’s HTTP/1.1 pool frames responses', () => {
  const use = useClosing();

  it('reads chunked bodies (with trailers) and large bodies arriving in many pieces, then reuses the connection', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const server = use(
      await startHttpTarget((req, res) => {
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
    const pool = use(createRawHttpPool(server.origin, { connections: 1, timeoutMs: 5000 }));
    for (const path of ['/chunked', '/big', '/chunked', '/big']) {
      expect(await pool.exchange({ ...GET, path })).toEqual({ status: 200 });
    }
    expect(server.connections()).toBe(1);
  });

  it('parses a response head split into single bytes', async () => {
    const server = use(
      await startRawHttpServer((socket) => {
        const text = 'HTTP/1.1 200 OK\r\nX-Instance-Id: product-9\r\nContent-Length: 5\r\n\r\nhello';
        let i = 0;
        const tick = setInterval(() => {
          if (socket.destroyed) return clearInterval(tick);
          socket.write(text[i++]!);
          if (i === text.length) clearInterval(tick);
        }, 1);
      }),
    );
    const pool = use(createRawHttpPool(server.origin, { connections: 1, timeoutMs: 5000 }));
    expect(await pool.exchange(GET)).toEqual({ status: 200, instance: 'product-9' });
    expect(await pool.exchange(GET)).toEqual({ status: 200, instance: 'product-9' });
    expect(server.connections()).toBe(1);
  });

  it('knows 204 and 304 have no body', async () => {
    const server = use(
      await startRawHttpServer((socket, { nthOnConnection }) => {
        socket.write(
          nthOnConnection % 2
            ? 'HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n'
            : 'HTTP/1.1 304 Not Modified\r\nETag: "3"\r\nContent-Length: 120\r\n\r\n',
        );
      }),
    );
    const pool = use(createRawHttpPool(server.origin, { connections: 1, timeoutMs: 2000 }));
    expect((await pool.exchange(GET)).status).toBe(204);
    expect((await pool.exchange(GET)).status).toBe(304);
    expect((await pool.exchange(GET)).status).toBe(204);
    expect(server.connections()).toBe(1);
  });

  it('skips interim 1xx responses and reports the final one', async () => {
    const server = use(
      await startHttpTarget((_req, res) => {
        res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
        res.setHeader('X-Instance-Id', 'product-1');
        res.end('ok');
      }),
    );
    const pool = use(createRawHttpPool(server.origin, { connections: 1, timeoutMs: 2000 }));
    expect(await pool.exchange(GET)).toEqual({ status: 200, instance: 'product-1' });
    expect(await pool.exchange(GET)).toEqual({ status: 200, instance: 'product-1' });
    expect(server.connections()).toBe(1);
  });

  it('does not reuse a connection the server asked to close (Connection: close, or HTTP/1.0 without keep-alive)', async () => {
    const server = use(
      await startRawHttpServer((socket, { nthOnConnection }) => {
        // The server keeps the socket open: only the client's respect of the framing keeps it from reusing it.
        if (nthOnConnection > 1) socket.destroy();
        else if (socket.remotePort! % 2) socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
        else socket.write('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok');
      }),
    );
    const pool = use(createRawHttpPool(server.origin, { connections: 1, timeoutMs: 2000 }));
    for (let i = 0; i < 6; i++) expect((await pool.exchange(GET)).status).toBe(200);
    expect(server.connections()).toBe(6);
  });

  it('reads a body delimited by the end of the connection', async () => {
    const server = use(
      await startRawHttpServer((socket) => {
        socket.write('HTTP/1.1 200 OK\r\nX-Cache-Status: MISS\r\n\r\nsome body');
        setTimeout(() => socket.end(), 5);
      }),
    );
    const pool = use(createRawHttpPool(server.origin, { connections: 1, timeoutMs: 2000 }));
    expect(await pool.exchange(GET)).toEqual({ status: 200, cache: 'MISS' });
    expect(await pool.exchange(GET)).toEqual({ status: 200, cache: 'MISS' });
    expect(server.connections()).toBe(2);
  });

  it('fails a response it cannot frame as EPROTO rather than guessing', async () => {
    const server = use(await startRawHttpServer((socket) => socket.write('garbage\r\n\r\n')));
    const pool = use(createRawHttpPool(server.origin, { connections: 1, timeoutMs: 2000 }));
    await expect(pool.exchange(GET)).rejects.toMatchObject({ code: 'EPROTO' });
  });

  it('reads only the headers it needs, by exact name in any case, however alike the others look', async () => {
    const server = use(
      await startRawHttpServer((socket, { nthOnConnection }) => {
        const head = [
          'HTTP/1.1 201 Created',
          'Content-Type: text/plain', // starts like Content-Length
          'x-cache-status:   EXPIRED  ',
          'X-Cache-Status-Extra: HIT', // a wanted name followed by more letters: no colon where the name ends
          'X-INSTANCE-ID:order-3',
          `CONTENT-LENGTH: ${nthOnConnection === 1 ? 4 : 0}`,
          'Content-Lengthy: 99',
          'CONNECTION: Keep-Alive',
        ];
        socket.write(`${head.join('\r\n')}\r\n\r\n${nthOnConnection === 1 ? 'body' : ''}`);
      }),
    );
    const pool = use(createRawHttpPool(server.origin, { connections: 1, timeoutMs: 2000 }));
    expect(await pool.exchange(GET)).toEqual({ status: 201, instance: 'order-3', cache: 'EXPIRED' });
    expect(await pool.exchange(GET)).toEqual({ status: 201, instance: 'order-3', cache: 'EXPIRED' });
    expect(server.connections()).toBe(1);
  });

  it('fails a Content-Length that is not a number as EPROTO', async () => {
    const server = use(await startRawHttpServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n')));
    const pool = use(createRawHttpPool(server.origin, { connections: 1, timeoutMs: 2000 }));
    await expect(pool.exchange(GET)).rejects.toMatchObject({ code: 'EPROTO' });
  });
});

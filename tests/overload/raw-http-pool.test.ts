import { describe, expect, it } from 'vitest';
import type { RequestSpec } from '../../src/overload/build-scenario.js';
import { createRawHttpPool } from '../../src/overload/raw-http-pool.js';
import { startHttpTarget } from '../helpers/start-http-target.js';
import { startRawHttpServer } from '../helpers/start-raw-http-server.js';
import { useClosing } from '../helpers/use-closing.js';

const GET: RequestSpec = { method: 'GET', path: '/p', headers: {}, idempotent: true };

describe('the minimal HTTP/1.1 pool of the load engine: requests, connections, timeouts', () => {
  const use = useClosing();

  it('sends method, path, Host, headers and body; reads status, X-Instance-Id and X-Cache-Status whatever their case', async () => {
    const seen: Array<{ method?: string; url?: string; host?: string; auth?: string; body: string }> = [];
    const server = use(
      await startHttpTarget((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          seen.push({ method: req.method, url: req.url, host: req.headers.host, auth: req.headers.authorization, body });
          res.writeHead(201, { 'x-INSTANCE-id': 'order-3', 'X-Cache-Status': 'BYPASS', 'content-type': 'application/json' });
          res.end('{"id":1}');
        });
      }),
    );
    const pool = use(createRawHttpPool(server.origin, { connections: 1, timeoutMs: 2000 }));
    const post: RequestSpec = {
      method: 'POST',
      path: '/api/orders?x=1',
      headers: { authorization: 'Bearer T', 'content-type': 'application/json' },
      body: '{"items":[]}',
      idempotent: false,
    };
    expect(await pool.exchange(post)).toEqual({ status: 201, instance: 'order-3', cache: 'BYPASS' });
    expect(await pool.exchange(post)).toEqual({ status: 201, instance: 'order-3', cache: 'BYPASS' });
    const sent = { method: 'POST', url: '/api/orders?x=1', host: new URL(server.origin).host, auth: 'Bearer T', body: '{"items":[]}' };
    expect(seen).toEqual([sent, sent]);
    expect(server.connections()).toBe(1);
  });

  it('opens at most `connections` sockets and queues the rest', async () => {
    let active = 0;
    let peak = 0;
    const server = use(
      await startHttpTarget((_req, res) => {
        peak = Math.max(peak, ++active);
        setTimeout(() => {
          active--;
          res.end('ok');
        }, 10);
      }),
    );
    const pool = use(createRawHttpPool(server.origin, { connections: 3, timeoutMs: 5000 }));
    const results = await Promise.all(Array.from({ length: 30 }, () => pool.exchange(GET)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(server.connections()).toBe(3);
    expect(peak).toBe(3);
  });

  it('fails a request with no answer in time as TIMEOUT, and carries on with a fresh connection', async () => {
    const server = use(
      await startRawHttpServer((socket, { nthOverall }) => {
        if (nthOverall > 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'); // never answers the first
      }),
    );
    const pool = use(createRawHttpPool(server.origin, { connections: 1, timeoutMs: 200 }));
    await expect(pool.exchange(GET)).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect((await pool.exchange(GET)).status).toBe(200);
    expect(server.connections()).toBe(2);
  });

  it('names a refused connection ECONNREFUSED', async () => {
    const server = await startRawHttpServer(() => undefined);
    await server.close();
    const pool = use(createRawHttpPool(server.origin, { connections: 1, timeoutMs: 2000 }));
    await expect(pool.exchange(GET)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('closes its connections on close() and refuses new requests', async () => {
    const server = use(await startRawHttpServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')));
    const pool = use(createRawHttpPool(server.origin, { connections: 2, timeoutMs: 2000 }));
    await Promise.all([pool.exchange(GET), pool.exchange(GET)]);
    expect(server.open()).toBe(2);
    pool.close();
    await expect(pool.exchange(GET)).rejects.toMatchObject({ code: 'UND_ERR_CLOSED' });
    await new Promise((r) => setTimeout(r, 50));
    expect(server.open()).toBe(0);
  });

  it('drops its idle connections on demand: the next request opens a new one', async () => {
    const server = use(await startHttpTarget());
    const pool = use(createRawHttpPool(server.origin, { connections: 2, timeoutMs: 2000 }));
    await pool.exchange(GET);
    await pool.exchange(GET);
    expect(server.connections()).toBe(1);
    pool.dropIdle();
    expect((await pool.exchange(GET)).status).toBe(200);
    expect(server.connections()).toBe(2);
  });
});

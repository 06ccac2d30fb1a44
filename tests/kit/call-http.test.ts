import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { callHttp } from '../../src/kit/call-http.js';
import { freePort } from '../helpers/free-port.js';

describe('callHttp', () => {
  let server: Server | undefined;
  const sockets = new Set<string>();

  const serve = async (handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<string> => {
    const port = await freePort();
    server = createServer((req, res) => {
      sockets.add(`${req.socket.remotePort}`);
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => handler(req, body, res));
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${port}`;
  };

  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
    sockets.clear();
  });

  it('sends the method, path with query, headers and body, answers status and text, and keeps the connection alive', async () => {
    const url = await serve((req, body, res) => {
      res.writeHead(req.method === 'PUT' ? 201 : 200, { 'content-type': 'text/plain' });
      res.end(`${req.method} ${req.url} ${req.headers.authorization ?? '-'} ${req.headers['content-length'] ?? '-'} ${body}`);
    });
    expect(await callHttp(`${url}/v1/things?index=3&wait=5ms`, { timeoutMs: 2000 })).toEqual({ status: 200, text: 'GET /v1/things?index=3&wait=5ms - - ' });
    const put = await callHttp(`${url}/v1/things/1`, { method: 'PUT', headers: { authorization: 'Bearer t' }, body: '{"é":1}', timeoutMs: 2000 });
    expect(put).toEqual({ status: 201, text: 'PUT /v1/things/1 Bearer t 8 {"é":1}' });
    expect(sockets.size, 'both calls on one kept-alive connection').toBe(1);
  });

  it('fails when no answer comes within the timeout, and when the signal aborts', async () => {
    const url = await serve(() => undefined);
    await expect(callHttp(`${url}/slow`, { timeoutMs: 100 })).rejects.toThrow(/no answer from http:\/\/127\.0\.0\.1:\d+ within 100 ms/);
    const abort = new AbortController();
    const call = callHttp(`${url}/slow`, { timeoutMs: 5000, signal: abort.signal });
    abort.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('fails at once when nothing listens', async () => {
    const port = await freePort();
    await expect(callHttp(`http://127.0.0.1:${port}/`, { timeoutMs: 2000 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

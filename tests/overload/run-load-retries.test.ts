import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { plainGetScenario, type Scenario } from '../../src/overload/build-scenario.js';
import { runLoad } from '../../src/overload/run-load.js';
import { startRawHttpServer } from '../helpers/start-raw-http-server.js';

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok';

/** A raw server that, for the n-th request overall and on its connection, answers OK or drops the connection. */
async function rawServer(answer: (nthOverall: number, nthOnConnection: number) => boolean) {
  let answered = 0;
  let destroyed = 0;
  const server = await startRawHttpServer((socket, { nthOverall, nthOnConnection }) => {
    if (answer(nthOverall, nthOnConnection)) {
      answered++;
      socket.write(OK);
    } else {
      destroyed++;
      socket.destroy();
    }
  });
  return { origin: server.origin, counts: () => ({ received: server.received(), answered, destroyed }), close: server.close };
}

const postScenario: Scenario = {
  name: 'post',
  prepare: async () => undefined,
  createUser: async () => ({
    next: () => ({ method: 'POST', path: '/orders', headers: { 'content-type': 'application/json' }, body: '{"a":1}', idempotent: false }),
  }),
};

describe('a reused keep-alive connection closed before the response', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('is retried once for an idempotent GET: a retry, not an error', async () => {
    // Answers the first request of each connection, destroys the connection on the second.
    const server = await rawServer((_n, onConnection) => onConnection === 1);
    close = server.close;
    const s = await runLoad({ origin: server.origin, scenario: plainGetScenario('/'), concurrency: 1, requestCount: 2, timeoutMs: 2000 });
    expect(s.retries).toBe(1);
    expect(s.errors).toBe(0);
    expect(s.ok).toBe(2);
    expect(s.completed).toBe(2);
    expect(s.errorsByKind).toEqual({});
    expect(server.counts()).toEqual({ received: 3, answered: 2, destroyed: 1 });
  });

  it('retries every such request once, over many requests', async () => {
    const server = await rawServer((_n, onConnection) => onConnection === 1);
    close = server.close;
    const s = await runLoad({ origin: server.origin, scenario: plainGetScenario('/'), concurrency: 1, requestCount: 6, timeoutMs: 2000 });
    // Requests 2..6 each meet a dying connection once, then succeed on a fresh one.
    expect(s.retries).toBe(5);
    expect(s.ok).toBe(6);
    expect(s.errors).toBe(0);
    expect(server.counts().answered).toBe(6);
  });

  it('is retried only once: a second failure is an error', async () => {
    // Answers only the very first request; every later one loses its connection.
    const server = await rawServer((n) => n === 1);
    close = server.close;
    const s = await runLoad({ origin: server.origin, scenario: plainGetScenario('/'), concurrency: 1, requestCount: 2, timeoutMs: 2000 });
    expect(s.ok).toBe(1);
    expect(s.retries).toBe(1);
    expect(s.errors).toBe(1);
    expect(s.errorsByKind).toEqual({ ECONNRESET: 1 });
    expect(server.counts()).toEqual({ received: 3, answered: 1, destroyed: 2 });
  });

  it('is not retried once part of the answer arrived: an error, the GET not sent again', async () => {
    // Sends half a response, then drops the connection.
    let received = 0;
    const partial = createServer((socket) => {
      socket.on('data', () => {
        received++;
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf');
        setTimeout(() => socket.destroy(), 5);
      });
    });
    await new Promise<void>((resolve) => partial.listen(0, '127.0.0.1', () => resolve()));
    close = () => new Promise<void>((resolve) => partial.close(() => resolve()));
    const origin = `http://127.0.0.1:${(partial.address() as { port: number }).port}`;
    const s = await runLoad({ origin, scenario: plainGetScenario('/'), concurrency: 1, requestCount: 1, timeoutMs: 2000 });
    expect(s.retries).toBe(0);
    expect(s.errors).toBe(1);
    expect(s.ok).toBe(0);
    expect(Object.keys(s.errorsByKind)).toEqual(['ECONNRESET_PARTIAL']);
    expect(received).toBe(1);
  });

  it('is an error, not retried, for a POST (not idempotent)', async () => {
    const server = await rawServer((_n, onConnection) => onConnection === 1);
    close = server.close;
    const s = await runLoad({ origin: server.origin, scenario: postScenario, concurrency: 1, requestCount: 2, timeoutMs: 2000 });
    expect(s.retries).toBe(0);
    expect(s.ok).toBe(1);
    expect(s.errors).toBe(1);
    expect(s.errorsByKind).toEqual({ ECONNRESET: 1 });
    expect(s.completed).toBe(2);
    // The POST reached the server once and was never sent again.
    expect(server.counts()).toEqual({ received: 2, answered: 1, destroyed: 1 });
  });
});

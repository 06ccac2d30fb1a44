import { afterEach, describe, expect, it } from 'vitest';
import { startGetLoop } from './start-get-loop.js';
import { startRawHttpServer, type RawHttpServer } from './start-raw-http-server.js';
import { waitFor } from './wait-for.js';

const OK = 'HTTP/1.1 200 OK\r\nX-Instance-Id: raw-1\r\nContent-Length: 2\r\n\r\nok';

describe('the shared GET loop retries only what a client may retry', () => {
  let server: RawHttpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** Runs one loop against `server` until it counted `n` GETs. */
  const run = async (n: number) => {
    const loop = startGetLoop(`${server!.origin}/x`, { workers: 1 });
    await waitFor(`${n} GETs`, () => server!.received() >= n);
    return { ...(await loop.stop()), seen: loop.seen };
  };

  it('retries a GET whose reused connection was closed before any byte, and counts it', async () => {
    // Answers the first request of each connection and drops the connection on the second, unanswered.
    server = await startRawHttpServer((socket, { nthOnConnection }) => (nthOnConnection === 1 ? socket.write(OK) : socket.destroy()));
    const r = await run(9);
    expect(r.failures).toBe(0);
    // Every GET sent on a kept-alive connection met it dying and was resent over a new one (which is then kept).
    expect(r.retries).toBeGreaterThanOrEqual(Math.floor(r.total / 2) - 1);
    expect(r.retries).toBeGreaterThanOrEqual(3);
    expect(r.seen.get('raw-1')).toBe(r.total);
  });

  it('retries a reset before any byte only once: when the resend is reset too, it is a failure', async () => {
    server = await startRawHttpServer((socket) => socket.destroy());
    const r = await run(4);
    expect(r.total).toBeGreaterThan(0);
    expect(r.retries).toBe(r.total);
    expect(r.failures).toBe(r.total);
    expect(r.reasons[0]).toBe('ECONNRESET');
  });

  it('does not retry once part of the answer arrived: a failure', async () => {
    server = await startRawHttpServer((socket, { nthOnConnection }) => {
      if (nthOnConnection === 1) return socket.write(OK);
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf');
      setTimeout(() => socket.destroy(), 5);
    });
    const r = await run(6);
    expect(r.retries).toBe(0);
    expect(r.failures).toBeGreaterThanOrEqual(2);
    expect(r.failures + (r.seen.get('raw-1') ?? 0)).toBe(r.total);
  });
});

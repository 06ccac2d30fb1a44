import { createServer, type Server, type Socket } from 'node:net';
import { freePort } from './free-port.js';

/** One request head a raw server received, numbered on its connection and over the whole server (from 1). */
export interface RawRequest {
  head: string;
  nthOnConnection: number;
  nthOverall: number;
}

/** A TCP server that answers HTTP/1.1 request heads with whatever bytes a test writes (or closes the socket). */
export interface RawHttpServer {
  origin: string;
  /** Connections accepted so far. */
  connections(): number;
  /** Connections open now. */
  open(): number;
  /** Requests received so far. */
  received(): number;
  close(): Promise<void>;
}

/**
 * Starts a raw server on a free loopback port: `reply` gets the socket and each complete request (head and
 * Content-Length body read), so a test controls framing byte by byte, or drops a kept-alive connection unanswered.
 */
export async function startRawHttpServer(reply: (socket: Socket, request: RawRequest) => void): Promise<RawHttpServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let received = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    let nthOnConnection = 0;
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0 && !socket.destroyed; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) break;
        buffered = buffered.slice(end + 4 + length);
        reply(socket, { head, nthOnConnection: ++nthOnConnection, nthOverall: ++received });
      }
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  let closing: Promise<void> | undefined;
  return {
    origin: `http://127.0.0.1:${port}`,
    connections: () => connections,
    open: () => sockets.size,
    received: () => received,
    close() {
      closing ??= new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      });
      return closing;
    },
  };
}

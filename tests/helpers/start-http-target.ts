import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { freePort } from './free-port.js';

/** A node:http server a test loads: counts every request it received, and closes with all its connections. */
export interface HttpTarget {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  server: Server;
  /** Requests received since the start (or the last `reset`). */
  seen(): number;
  /** TCP connections accepted since the start. */
  connections(): number;
  reset(): void;
  close(): Promise<void>;
}

/** Starts a target on a free port; `handler` gets the 0-based index of each request (default: 200 "ok"). */
export async function startHttpTarget(handler?: (req: IncomingMessage, res: ServerResponse, index: number) => void): Promise<HttpTarget> {
  let count = 0;
  const server = createServer((req, res) => {
    const index = count++;
    if (handler) handler(req, res, index);
    else res.end('ok');
  });
  let connections = 0;
  server.on('connection', () => connections++);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  let closing: Promise<void> | undefined;
  return {
    origin: `http://127.0.0.1:${port}`,
    server,
    seen: () => count,
    connections: () => connections,
    reset: () => {
      count = 0;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

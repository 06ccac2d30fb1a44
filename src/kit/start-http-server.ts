import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listening HTTP server; `close()` stops accepting, lets in-flight requests finish, then ends idle sockets. */
export interface HttpServerHandle {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** Starts an HTTP server on host:port (0 picks a free port) with graceful, idempotent shutdown. */
export async function startHttpServer(handler: RequestListener, options: { host: string; port: number; graceMs: number }): Promise<HttpServerHandle> {
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 30_000 }, handler);
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), options.graceMs);
        force.unref();
        // Keep-alive sockets that finish their in-flight request become idle; end them as they do.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearTimeout(force);
          clearInterval(sweep);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

import { createServer, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import { EcomError } from '../common/ecom-error.js';
import { controlRequest, type ControlReply, type ControlRequest } from './control-protocol.js';

/** Handles one control request; `progress` streams human lines to the caller before the result. */
export type ControlHandler = (request: ControlRequest, progress: (line: string) => void) => Promise<unknown>;

/** A listening control socket; `close()` stops it and removes the socket file. Idempotent. */
export interface ControlServer {
  close(): Promise<void>;
}

/** Serves the daemon's control channel on a unix socket: one JSON request per connection, NDJSON replies. */
export async function serveControl(socketPath: string, handle: ControlHandler): Promise<ControlServer> {
  rmSync(socketPath, { force: true });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    let buffer = '';
    const send = (reply: ControlReply): void => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
    };
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      socket.removeAllListeners('data');
      let request: ControlRequest;
      try {
        request = controlRequest.parse(JSON.parse(buffer.slice(0, newline)));
      } catch {
        send({ ok: false, error: { code: 'bad_request', message: 'unrecognised control request' } });
        socket.end();
        return;
      }
      handle(request, (line) => send({ progress: line })).then(
        (result) => {
          send({ ok: true, result });
          socket.end();
        },
        (err: unknown) => {
          const e = err instanceof EcomError ? err : new EcomError('daemon_error', err instanceof Error ? err.message : String(err));
          send({ ok: false, error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } });
          socket.end();
        },
      );
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.end();
        rmSync(socketPath, { force: true });
      });
      return closing;
    },
  };
}

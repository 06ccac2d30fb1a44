import { createServer, type Socket } from 'node:net';
import { chmodSync, rmSync } from 'node:fs';
import { EcomError } from '../common/ecom-error.js';
import { controlRequest, type ControlReply, type ControlRequest } from './control-protocol.js';
import { readPeerUids } from './read-peer-uids.js';

/** Handles one control request; `progress` streams human lines, `snapshot` interim values, to the caller before the result. */
export type ControlHandler = (request: ControlRequest, progress: (line: string) => void, snapshot: (value: unknown) => void) => Promise<unknown>;

/** A listening control socket; `close()` stops it and removes the socket file. Idempotent. */
export interface ControlServer {
  close(): Promise<void>;
}

/** The longest control request line accepted; a longer one is answered with an error and the connection closed. */
export const MAX_CONTROL_REQUEST_BYTES = 64 * 1024;

/** The request a line holds, or undefined when it holds none the daemon knows. */
function parseRequest(line: string): ControlRequest | undefined {
  try {
    return controlRequest.parse(JSON.parse(line));
  } catch {
    return undefined;
  }
}

/** Whether the connecting process runs as `ownerUid`; when `ss` is missing, the socket's 0600 mode is the only guard. */
async function isOwner(socket: Socket, ownerUid: number): Promise<boolean> {
  const peer = await readPeerUids(socket);
  if ('unknown' in peer) return peer.unknown === 'ss is not installed';
  return peer.uids.length > 0 && peer.uids.every((uid) => uid === ownerUid);
}

/**
 * Serves the daemon's control channel on a unix socket: one JSON request per connection (at most 64 KiB), NDJSON
 * replies. The socket is 0600; a request that changes anything (`scale`, `restart`, `down`) is only handled for a
 * peer process running as `ownerUid` (this process's uid by default), anyone else gets a `forbidden` error.
 */
export async function serveControl(socketPath: string, handle: ControlHandler, options: { ownerUid?: number } = {}): Promise<ControlServer> {
  const ownerUid = options.ownerUid ?? process.getuid?.() ?? 0;
  rmSync(socketPath, { force: true });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    let buffer = '';
    const send = (reply: ControlReply): void => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
    };
    const refuse = (code: string, message: string): void => {
      send({ ok: false, error: { code, message } });
      socket.end();
    };
    // Reading the status needs no peer check: the socket's 0600 mode and the 0700 state dir keep others out, and the
    // check costs a spawn of `ss` per connection — which `up -d`, `status` and any poller would pay at every call.
    const allowed = (request: ControlRequest | undefined): Promise<boolean> => (request?.cmd === 'status' ? Promise.resolve(true) : isOwner(socket, ownerUid));
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline < 0 && buffer.length <= MAX_CONTROL_REQUEST_BYTES) return;
      socket.removeAllListeners('data');
      if (newline < 0 || newline > MAX_CONTROL_REQUEST_BYTES) {
        refuse('bad_request', `control request over ${MAX_CONTROL_REQUEST_BYTES} bytes`);
        return;
      }
      const request = parseRequest(buffer.slice(0, newline));
      void allowed(request).then((ok) => {
        if (!ok) refuse('forbidden', `the control socket only answers uid ${ownerUid}`);
        else if (!request) refuse('bad_request', 'unrecognised control request');
        else answer(request);
      });
    });
    const answer = (request: ControlRequest): void => {
      handle(
        request,
        (progress) => send({ progress }),
        (snapshot) => send({ snapshot }),
      ).then(
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
    };
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o600);
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

import { connect, type Socket } from 'node:net';
import { ResponseParser, type Exchanged } from './parse-http-response.js';

/** A transport error with the code the engine classifies (`ECONNRESET` only when no byte of the answer arrived). */
export function transportError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

/** What a connection tells its pool. */
export interface ConnectionOwner {
  /** The connection finished an exchange and can carry the next request. */
  onFree(conn: RawHttpConnection): void;
  /** The connection is closed for good (by either side, or after an error). */
  onGone(conn: RawHttpConnection): void;
}

interface Pending {
  resolve(r: Exchanged): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * One keep-alive HTTP/1.1 connection with one request in flight at a time. `ready` settles when the TCP handshake
 * completes, or rejects with `CONNECT_TIMEOUT` when it has not within `connectTimeoutMs` (a target that drops packets
 * would otherwise hold the run until the kernel gives up, minutes later), or with the socket's error code.
 */
export class RawHttpConnection {
  readonly ready: Promise<void>;
  dead = false;
  private readonly socket: Socket;
  private readonly parser = new ResponseParser();
  private pending: Pending | undefined;
  private received = false;
  private connectTimer: NodeJS.Timeout | undefined;
  private rejectReady: (err: Error) => void = () => undefined;

  constructor(
    target: { host: string; port: number; connectTimeoutMs: number },
    private readonly owner: ConnectionOwner,
  ) {
    this.socket = connect({ host: target.host, port: target.port, noDelay: true });
    this.ready = new Promise((resolve, reject) => {
      this.rejectReady = reject;
      this.socket.once('connect', () => {
        clearTimeout(this.connectTimer);
        resolve();
      });
    });
    this.ready.catch(() => undefined);
    this.connectTimer = setTimeout(() => this.fail('CONNECT_TIMEOUT', `no connection within ${target.connectTimeoutMs} ms`), target.connectTimeoutMs);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err: NodeJS.ErrnoException) => this.fail(err.code ?? 'ECONNRESET', err.message));
    this.socket.on('close', () => {
      if (this.pending && this.parser.endsAtClose()) this.complete(this.parser.response());
      else this.fail('ECONNRESET', 'connection closed');
    });
  }

  /** Writes one encoded request and resolves with its response, or rejects after `timeoutMs` with `TIMEOUT`. */
  send(request: Buffer, timeoutMs: number, head = false): Promise<Exchanged> {
    return new Promise<Exchanged>((resolve, reject) => {
      const timer = setTimeout(() => this.fail('TIMEOUT', `no answer within ${timeoutMs} ms`), timeoutMs);
      this.pending = { resolve, reject, timer };
      this.received = false;
      this.parser.reset(head);
      this.socket.write(request);
    });
  }

  /** Ends the connection with an error for the request in flight (or for `ready`, while still connecting). */
  fail(code: string, message: string): void {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.connectTimer);
    this.socket.destroy();
    const error = transportError(this.received && code === 'ECONNRESET' ? 'ECONNRESET_PARTIAL' : code, message);
    this.rejectReady(error);
    const p = this.pending;
    this.pending = undefined;
    if (p) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.owner.onGone(this);
  }

  /** Closes an idle connection without telling the pool (which is closing). */
  close(): void {
    this.dead = true;
    clearTimeout(this.connectTimer);
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (!this.pending) return this.fail('EPROTO', 'data without a request');
    this.received = true;
    let response: Exchanged | undefined;
    try {
      response = this.parser.push(chunk);
    } catch (err) {
      return this.fail('EPROTO', (err as Error).message);
    }
    if (response) this.complete(response);
  }

  private complete(response: Exchanged): void {
    const p = this.pending!;
    this.pending = undefined;
    clearTimeout(p.timer);
    if (this.parser.closeAfter || this.parser.hasLeftover()) {
      this.dead = true;
      this.socket.destroy();
      this.owner.onGone(this);
    } else {
      this.owner.onFree(this);
    }
    p.resolve(response);
  }
}

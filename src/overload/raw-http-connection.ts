import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ResponseParser, type Exchanged } from './parse-http-response.js';
import { RequestWriter } from './write-request.js';

/** A transport error with the code the engine classifies (`ECONNRESET` only when no byte of the answer arrived). */
export function transportError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

/** Called once per request: with the response, or with a transport error carrying its `code`. */
export type ExchangeCallback = (err: (Error & { code: string }) | undefined, response: Exchanged | undefined) => void;

/** What a connection tells its pool. */
export interface ConnectionOwner {
  /** The connection finished an exchange and can carry the next request. */
  onFree(conn: RawHttpConnection): void;
  /** The connection is closed for good (by either side, or after an error). */
  onGone(conn: RawHttpConnection): void;
}

/** Where to connect, how long to wait, and the pool's read buffer (shared: see `onread` below). */
export interface ConnectionTarget {
  host: string;
  port: number;
  connectTimeoutMs: number;
  readBuffer: Buffer;
}

/**
 * One keep-alive HTTP/1.1 connection with one request in flight at a time. `ready` settles when the TCP handshake
 * completes, or rejects with `CONNECT_TIMEOUT` when it has not within `connectTimeoutMs` (a target that drops packets
 * would otherwise hold the run until the kernel gives up, minutes later), or with the socket's error code.
 * Cheap per request: bytes are read into the pool's one buffer (`onread`: no allocation, no stream machinery; the
 * parser copies only an incomplete head it must keep), requests are written to the socket's handle
 * (write-request.ts: no Writable machinery), and the answer deadline is a number checked by one lazy
 * timer per connection that is re-armed at most once per timeout, not a timer set and cleared per request.
 */
export class RawHttpConnection {
  readonly ready: Promise<void>;
  dead = false;
  private readonly socket: Socket;
  private readonly writer: RequestWriter;
  private readonly parser = new ResponseParser();
  private pending: ExchangeCallback | undefined;
  private received = false;
  private connectTimer: NodeJS.Timeout | undefined;
  private rejectReady: (err: Error) => void = () => undefined;
  private deadline = 0;
  private timeoutMs = 0;
  private answerTimer: NodeJS.Timeout | undefined;

  constructor(
    target: ConnectionTarget,
    private readonly owner: ConnectionOwner,
  ) {
    const readBuffer = target.readBuffer;
    this.socket = connect({
      host: target.host,
      port: target.port,
      noDelay: true,
      onread: {
        buffer: readBuffer,
        callback: (n: number): boolean => {
          this.onData(readBuffer, n);
          return true;
        },
      },
    });
    this.writer = new RequestWriter(this.socket, (code) => this.fail(code, 'write failed'));
    this.ready = new Promise((resolve, reject) => {
      this.rejectReady = reject;
      this.socket.once('connect', () => {
        clearTimeout(this.connectTimer);
        resolve();
      });
    });
    this.ready.catch(() => undefined);
    this.connectTimer = setTimeout(() => this.fail('CONNECT_TIMEOUT', `no connection within ${target.connectTimeoutMs} ms`), target.connectTimeoutMs);
    this.socket.on('error', (err: NodeJS.ErrnoException) => this.fail(err.code ?? 'ECONNRESET', err.message));
    this.socket.on('close', () => {
      if (this.pending && this.parser.endsAtClose()) this.complete(this.parser.response());
      else this.fail('ECONNRESET', 'connection closed');
    });
  }

  /** Writes one encoded request at `now` (performance.now()); `done` gets its response, or `TIMEOUT` after `timeoutMs` without one. */
  send(request: Buffer, timeoutMs: number, head: boolean, done: ExchangeCallback, now: number): void {
    this.pending = done;
    this.received = false;
    this.parser.reset(head);
    this.timeoutMs = timeoutMs;
    this.deadline = now + timeoutMs;
    this.answerTimer ??= setTimeout(this.checkDeadline, timeoutMs);
    const failed = this.writer.write(request);
    // `done` is never called before `send` returns.
    if (failed) process.nextTick(() => this.fail(failed, 'write failed'));
  }

  /** Fails the request in flight once its deadline passed; otherwise waits again for what is left of it. */
  private readonly checkDeadline = (): void => {
    this.answerTimer = undefined;
    if (!this.pending || this.dead) return;
    const left = this.deadline - performance.now();
    if (left <= 0) this.fail('TIMEOUT', `no answer within ${this.timeoutMs} ms`);
    else this.answerTimer = setTimeout(this.checkDeadline, left);
  };

  /** Ends the connection with an error for the request in flight (or for `ready`, while still connecting). */
  fail(code: string, message: string): void {
    if (this.dead) return;
    this.dead = true;
    this.stopTimers();
    this.socket.destroy();
    const error = transportError(this.received && code === 'ECONNRESET' ? 'ECONNRESET_PARTIAL' : code, message);
    this.rejectReady(error);
    const done = this.pending;
    this.pending = undefined;
    this.owner.onGone(this);
    done?.(error, undefined);
  }

  /** Closes an idle connection without telling the pool (which is closing). */
  close(): void {
    this.dead = true;
    this.stopTimers();
    this.socket.destroy();
  }

  private stopTimers(): void {
    clearTimeout(this.connectTimer);
    clearTimeout(this.answerTimer);
    this.answerTimer = undefined;
  }

  private onData(chunk: Buffer, length: number): void {
    if (!this.pending) return this.fail('EPROTO', 'data without a request');
    this.received = true;
    let response: Exchanged | undefined;
    try {
      response = this.parser.push(chunk, length);
    } catch (err) {
      return this.fail('EPROTO', (err as Error).message);
    }
    if (response) this.complete(response);
  }

  private complete(response: Exchanged): void {
    const done = this.pending!;
    this.pending = undefined;
    if (this.parser.closeAfter || this.parser.hasLeftover()) {
      this.dead = true;
      this.stopTimers();
      this.socket.destroy();
      this.owner.onGone(this);
    } else {
      this.owner.onFree(this);
    }
    done(undefined, response);
  }
}

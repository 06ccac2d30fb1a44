import { connect, type Socket } from 'node:net';
import type { RequestSpec } from './build-scenario.js';

/** What the engine keeps of a response. */
export interface Exchanged {
  status: number;
  instance?: string;
  cache?: string;
}

/** Keep-alive HTTP/1.1 connections to one origin, one request in flight per connection. */
export interface RawHttpPool {
  exchange(spec: RequestSpec): Promise<Exchanged>;
  close(): void;
}

/** A transport error with the code the engine classifies (`ECONNRESET` only when no byte of the answer arrived). */
function transportError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

interface Pending {
  resolve(r: Exchanged): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
  head: boolean;
}

/**
 * A minimal HTTP/1.1 client for load generation: requests are encoded once per spec object and written in one
 * piece, responses are parsed only as far as the engine needs (status, X-Instance-Id, X-Cache-Status, framing by
 * Content-Length, chunked encoding or the end of the connection) and their bodies skipped. Measured against undici's dispatcher on the same
 * target it sends more requests per CPU second; any framing it does not understand ends the connection with an error
 * rather than guessing.
 */
export function createRawHttpPool(origin: string, options: { connections: number; timeoutMs: number }): RawHttpPool {
  const url = new URL(origin);
  const host = url.hostname;
  const port = Number(url.port || 80);
  const hostHeader = `Host: ${url.host}\r\n`;
  const encoded = new WeakMap<RequestSpec, Buffer>();
  const idle: Connection[] = [];
  const waiting: Array<() => void> = [];
  let open = 0;
  let closed = false;

  const encode = (spec: RequestSpec): Buffer => {
    let buf = encoded.get(spec);
    if (buf) return buf;
    let head = `${spec.method} ${spec.path} HTTP/1.1\r\n${hostHeader}`;
    for (const [k, v] of Object.entries(spec.headers)) head += `${k}: ${v}\r\n`;
    const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
    if (body) head += `content-length: ${body.length}\r\n`;
    head += '\r\n';
    buf = body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
    encoded.set(spec, buf);
    return buf;
  };

  class Connection {
    socket: Socket;
    ready: Promise<void>;
    buffer: Buffer = Buffer.alloc(0);
    pending: Pending | undefined;
    received = false;
    dead = false;
    // response parsing state
    status = 0;
    result: Exchanged = { status: 0 };
    bodyLeft = -1;
    chunked = false;
    closeAfter = false;
    /** No Content-Length nor chunked encoding: the body ends when the server closes the connection. */
    untilClose = false;
    inBody = false;

    constructor() {
      open++;
      this.socket = connect({ host, port, noDelay: true });
      this.ready = new Promise((resolve, reject) => {
        this.socket.once('connect', () => resolve());
        this.socket.once('error', reject);
      });
      this.ready.catch(() => undefined);
      this.socket.on('data', (chunk) => this.onData(chunk));
      this.socket.on('error', (err: NodeJS.ErrnoException) => this.fail(err.code ?? 'ECONNRESET', err.message));
      this.socket.on('close', () => {
        if (this.pending && this.inBody && this.untilClose) this.complete();
        else this.fail('ECONNRESET', 'connection closed');
      });
    }

    send(spec: RequestSpec, pending: Pending): void {
      this.pending = pending;
      this.received = false;
      this.inBody = false;
      this.buffer = Buffer.alloc(0);
      this.socket.write(encode(spec));
    }

    fail(code: string, message: string): void {
      if (this.dead) return;
      this.dead = true;
      open--;
      this.socket.destroy();
      const p = this.pending;
      this.pending = undefined;
      if (p) {
        clearTimeout(p.timer);
        p.reject(transportError(this.received && code === 'ECONNRESET' ? 'ECONNRESET_PARTIAL' : code, message));
      }
      const i = idle.indexOf(this);
      if (i >= 0) idle.splice(i, 1);
      waiting.shift()?.();
    }

    onData(chunk: Buffer): void {
      if (!this.pending) {
        this.fail('EPROTO', 'data without a request');
        return;
      }
      this.received = true;
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      try {
        this.parse();
      } catch (err) {
        this.fail('EPROTO', (err as Error).message);
      }
    }

    parse(): void {
      while (!this.inBody) {
        const end = this.buffer.indexOf(CRLFCRLF);
        if (end < 0) return;
        const head = this.buffer.toString('latin1', 0, end);
        this.buffer = this.buffer.subarray(end + 4);
        const lines = head.split('\r\n');
        const status = Number(lines[0]!.slice(9, 12));
        if (!/^HTTP\/1\.[01] /.test(lines[0]!) || !(status >= 100 && status < 600)) throw new Error('malformed status line');
        // An interim answer (100 Continue, 103 Early Hints) precedes the real one.
        if (status < 200 && status !== 101) continue;
        this.result = { status };
        this.bodyLeft = -1;
        this.chunked = false;
        // HTTP/1.0 closes after the response unless it says keep-alive; HTTP/1.1 keeps it open unless it says close.
        this.closeAfter = lines[0]!.startsWith('HTTP/1.0');
        this.untilClose = false;
        for (let i = 1; i < lines.length; i++) {
          const line = lines[i]!;
          const colon = line.indexOf(':');
          const name = line.slice(0, colon).toLowerCase();
          const value = line.slice(colon + 1).trim();
          if (name === 'content-length') this.bodyLeft = Number(value);
          else if (name === 'transfer-encoding') this.chunked = value.toLowerCase().includes('chunked');
          else if (name === 'connection') {
            const tokens = value.toLowerCase().split(/\s*,\s*/);
            if (tokens.includes('close')) this.closeAfter = true;
            else if (tokens.includes('keep-alive')) this.closeAfter = false;
          } else if (name === 'x-instance-id') this.result.instance = value;
          else if (name === 'x-cache-status') this.result.cache = value;
        }
        if (this.pending!.head || status === 204 || status === 304 || status === 101) this.bodyLeft = 0;
        if (status === 101) this.closeAfter = true; // no longer HTTP/1.1 on this connection
        if (!this.chunked && this.bodyLeft < 0) {
          this.untilClose = true;
          this.closeAfter = true;
        }
        this.inBody = true;
      }
      if (this.untilClose) {
        this.buffer = Buffer.alloc(0);
        return;
      }
      if (this.chunked) {
        for (;;) {
          const lineEnd = this.buffer.indexOf('\r\n');
          if (lineEnd < 0) return;
          const size = parseInt(this.buffer.toString('latin1', 0, lineEnd), 16);
          if (Number.isNaN(size)) throw new Error('malformed chunk size');
          if (size === 0) {
            const trailerEnd = this.buffer.indexOf(CRLFCRLF, lineEnd - 2 < 0 ? 0 : lineEnd - 2);
            if (trailerEnd < 0) return;
            this.buffer = this.buffer.subarray(trailerEnd + 4);
            return this.complete();
          }
          if (this.buffer.length < lineEnd + 2 + size + 2) return;
          this.buffer = this.buffer.subarray(lineEnd + 2 + size + 2);
        }
      }
      if (this.buffer.length < this.bodyLeft) {
        // Skip what arrived of the body instead of keeping it until the rest comes.
        this.bodyLeft -= this.buffer.length;
        this.buffer = Buffer.alloc(0);
        return;
      }
      this.buffer = this.buffer.subarray(this.bodyLeft);
      this.complete();
    }

    complete(): void {
      const p = this.pending!;
      this.pending = undefined;
      this.inBody = false;
      clearTimeout(p.timer);
      if (this.closeAfter || this.buffer.length > 0) {
        this.dead = true;
        open--;
        this.socket.destroy();
        waiting.shift()?.();
      } else {
        release(this);
      }
      p.resolve(this.result);
    }
  }

  const release = (conn: Connection): void => {
    const next = waiting.shift();
    idle.push(conn);
    next?.();
  };

  const acquire = async (): Promise<Connection> => {
    for (;;) {
      if (closed) throw transportError('UND_ERR_CLOSED', 'pool closed');
      const conn = idle.pop();
      if (conn && !conn.dead) return conn;
      if (open < options.connections) {
        const fresh = new Connection();
        // A failed connect has already been accounted for by the connection's own error handler.
        await fresh.ready.catch((err: NodeJS.ErrnoException) => {
          throw transportError(err.code ?? 'ECONNREFUSED', err.message);
        });
        return fresh;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };

  return {
    async exchange(spec) {
      const conn = await acquire();
      return new Promise<Exchanged>((resolve, reject) => {
        const timer = setTimeout(() => conn.fail('TIMEOUT', `no answer within ${options.timeoutMs} ms`), options.timeoutMs);
        conn.send(spec, { resolve, reject, timer, head: false });
      });
    },
    close() {
      closed = true;
      for (const c of idle.splice(0)) {
        c.dead = true;
        c.socket.destroy();
      }
      for (const w of waiting.splice(0)) w();
    },
  };
}

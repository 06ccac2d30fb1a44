import { readResponseHeader, readStatusLine, type HeadFields } from './read-response-header.js';

/** What the engine keeps of a response. */
export interface Exchanged {
  status: number;
  instance?: string;
  cache?: string;
}

const EMPTY = Buffer.alloc(0);
const CRLFCRLF = Buffer.from('\r\n\r\n');
const CR = 13;
const LF = 10;

/** Where the first CRLF at or after `at` starts, or -1 (one comparison per byte: the line feed is looked for). */
function crlfFrom(buf: Uint8Array, at: number, end: number): number {
  for (let i = at + 1; i < end; i++) if (buf[i] === LF && buf[i - 1] === CR) return i - 1;
  return -1;
}

/**
 * An incremental HTTP/1.1 response parser that reads only what the load engine needs: the status, X-Instance-Id,
 * X-Cache-Status and the framing (Content-Length, chunked encoding, or the end of the connection); bodies are
 * skipped as they arrive. Heads are read byte by byte where they arrived (the pool's shared read buffer): no string,
 * no view, no copy per response, except the values of the two headers kept. Throws on framing it does not
 * understand rather than guessing.
 */
export class ResponseParser {
  /** Bytes kept across reads: an incomplete head, or the unread part of a chunked body. */
  private held: Buffer = EMPTY;
  private result: Exchanged = { status: 0 };
  private readonly fields: HeadFields = { bodyLeft: -1, chunked: false, closeAfter: false, instance: undefined, cache: undefined };
  private bodyLeft = -1;
  private chunked = false;
  private inBody = false;
  private leftover = false;
  /** The connection cannot carry another request after this response. */
  closeAfter = false;
  /** No Content-Length nor chunked encoding: the body ends when the server closes the connection. */
  untilClose = false;

  /** The answer to a HEAD request has no body, whatever its Content-Length says. */
  private headRequest = false;

  /** Forgets any bytes of an earlier exchange before the next request is sent (`head`: that request is a HEAD). */
  reset(head = false): void {
    this.held = EMPTY;
    this.inBody = false;
    this.leftover = false;
    this.headRequest = head;
  }

  /** Whether the server closing the connection now completes the response (a body delimited by the close). */
  endsAtClose(): boolean {
    return this.inBody && this.untilClose;
  }

  /** The response read so far (complete once `push` returned it or `endsAtClose()` held at the close). */
  response(): Exchanged {
    return this.result;
  }

  /** Whether bytes beyond the complete response arrived (the connection is then not reused). */
  hasLeftover(): boolean {
    return this.leftover;
  }

  /**
   * Feeds the first `length` bytes of `data`; returns the response when it is complete. `data` may be a read buffer
   * reused for the next read: whatever must wait for more bytes is copied.
   */
  push(data: Buffer, length = data.length): Exchanged | undefined {
    let buf = data;
    let end = length;
    if (this.held.length > 0) {
      buf = Buffer.concat([this.held, data.subarray(0, length)]);
      end = buf.length;
      this.held = EMPTY;
    }
    let at = 0;
    if (!this.inBody) {
      at = this.readHeads(buf, end);
      if (at < 0) return undefined;
    }
    if (this.untilClose) return undefined;
    if (this.chunked) {
      this.held = Buffer.from(buf.subarray(at, end));
      return this.skipChunks();
    }
    const left = end - at;
    if (left < this.bodyLeft) {
      // Skip what arrived of the body instead of keeping it until the rest comes.
      this.bodyLeft -= left;
      return undefined;
    }
    this.leftover = left > this.bodyLeft;
    this.inBody = false;
    return this.result;
  }

  /** Reads the head of the final response (skipping interim 1xx ones): where its body starts, or -1 while incomplete (kept). */
  private readHeads(buf: Buffer, end: number): number {
    let at = 0;
    for (;;) {
      const headAt = at;
      at = this.readHead(buf, at, end);
      if (at < 0) {
        this.held = Buffer.from(buf.subarray(headAt, end));
        return -1;
      }
      const status = this.result.status;
      // An interim answer (100 Continue, 103 Early Hints) precedes the real one.
      if (status < 200 && status !== 101) continue;
      if (status === 204 || status === 304 || status === 101 || this.headRequest) {
        this.bodyLeft = 0;
        this.chunked = false;
      }
      if (status === 101) this.closeAfter = true; // no longer HTTP/1.1 on this connection
      if (!this.chunked && this.bodyLeft < 0) {
        this.untilClose = true;
        this.closeAfter = true;
      }
      this.inBody = true;
      return at;
    }
  }

  /** Reads one head from `at`: the position after its empty line, or -1 when it has not all arrived. */
  private readHead(buf: Buffer, at: number, end: number): number {
    const lineEnd = crlfFrom(buf, at, end);
    if (lineEnd < 0) return -1;
    const status = readStatusLine(buf, at, lineEnd);
    const minor = buf[at + 7];
    const f = this.fields;
    f.bodyLeft = -1;
    f.chunked = false;
    // HTTP/1.0 closes after the response unless it says keep-alive; HTTP/1.1 keeps it open unless it says close.
    f.closeAfter = minor === 48;
    f.instance = undefined;
    f.cache = undefined;
    // One pass over the header lines: every other byte is looked at (each CRLF has a byte on that stride, and its
    // neighbour is checked on a CR or LF), a line is read only when its first letter is that of a wanted name
    // (c, t, x), and the empty line ends the head.
    let line = lineEnd + 2;
    for (let i = line + 1; i < end; i += 2) {
      const b = buf[i];
      let lf: number;
      if (b === LF && buf[i - 1] === CR) lf = i;
      else if (b === CR && i + 1 < end && buf[i + 1] === LF) lf = i + 1;
      else continue;
      if (lf - 1 === line) {
        this.result = { status, instance: f.instance, cache: f.cache };
        this.bodyLeft = f.bodyLeft;
        this.chunked = f.chunked;
        this.closeAfter = f.closeAfter;
        this.untilClose = false;
        return lf + 1;
      }
      const first = buf[line]! | 0x20;
      if (first === 99 || first === 116 || first === 120) readResponseHeader(buf, line, lf - 1, f);
      line = lf + 1;
      i = lf;
    }
    return -1;
  }

  /** Skips the chunks of a chunked body kept in `held` (trailers included); the response once the last one passed. */
  private skipChunks(): Exchanged | undefined {
    for (;;) {
      const lineEnd = this.held.indexOf('\r\n');
      if (lineEnd < 0) return undefined;
      const size = parseInt(this.held.toString('latin1', 0, lineEnd), 16);
      if (Number.isNaN(size)) throw new Error('malformed chunk size');
      if (size === 0) {
        const trailerEnd = this.held.indexOf(CRLFCRLF, lineEnd - 2 < 0 ? 0 : lineEnd - 2);
        if (trailerEnd < 0) return undefined;
        this.leftover = this.held.length > trailerEnd + 4;
        this.held = EMPTY;
        this.inBody = false;
        return this.result;
      }
      if (this.held.length < lineEnd + 2 + size + 2) return undefined;
      this.held = this.held.subarray(lineEnd + 2 + size + 2);
    }
  }
}

/** What the engine keeps of a response. */
export interface Exchanged {
  status: number;
  instance?: string;
  cache?: string;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);
/** Lengths of the header names read: content-length, x-cache-status (14), transfer-encoding (17), connection (10), x-instance-id (13). */
const WANTED_LENGTHS = new Set([10, 13, 14, 17]);

/**
 * An incremental HTTP/1.1 response parser that reads only what the load engine needs: the status, X-Instance-Id,
 * X-Cache-Status and the framing (Content-Length, chunked encoding, or the end of the connection); bodies are
 * skipped as they arrive. Throws on framing it does not understand rather than guessing.
 */
export class ResponseParser {
  private buffer: Buffer = EMPTY;
  private result: Exchanged = { status: 0 };
  private bodyLeft = -1;
  private chunked = false;
  private inBody = false;
  /** The connection cannot carry another request after this response. */
  closeAfter = false;
  /** No Content-Length nor chunked encoding: the body ends when the server closes the connection. */
  untilClose = false;

  /** The answer to a HEAD request has no body, whatever its Content-Length says. */
  private headRequest = false;

  /** Forgets any bytes of an earlier exchange before the next request is sent (`head`: that request is a HEAD). */
  reset(head = false): void {
    this.buffer = EMPTY;
    this.inBody = false;
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
    return this.buffer.length > 0;
  }

  /**
   * Feeds received bytes; returns the response when it is complete. `chunk` may be the connection's reused read
   * buffer: whatever must wait for more bytes is copied.
   */
  push(chunk: Buffer): Exchanged | undefined {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const response = this.advance();
    if (!response && this.buffer.length && this.buffer.buffer === chunk.buffer) this.buffer = Buffer.from(this.buffer);
    return response;
  }

  private advance(): Exchanged | undefined {
    if (!this.inBody && !this.readHead()) return undefined;
    if (this.untilClose) {
      this.buffer = EMPTY;
      return undefined;
    }
    return this.chunked ? this.skipChunks() : this.skipLength();
  }

  /** Reads the head of the final response (skipping interim 1xx ones); false while it is incomplete. */
  private readHead(): boolean {
    while (!this.inBody) {
      const end = this.buffer.indexOf(CRLFCRLF);
      if (end < 0) return false;
      const head = this.buffer.toString('latin1', 0, end);
      this.buffer = this.buffer.subarray(end + 4);
      // "HTTP/1.x SSS ...", read by character codes: no regular expression, no split, per response.
      const status = (head.charCodeAt(9) - 48) * 100 + (head.charCodeAt(10) - 48) * 10 + (head.charCodeAt(11) - 48);
      const minor = head.charCodeAt(7);
      if (!head.startsWith('HTTP/1.') || (minor !== 48 && minor !== 49) || head.charCodeAt(8) !== 32 || !(status >= 100 && status < 600)) {
        throw new Error('malformed status line');
      }
      // An interim answer (100 Continue, 103 Early Hints) precedes the real one.
      if (status < 200 && status !== 101) continue;
      this.result = { status, instance: undefined, cache: undefined };
      this.bodyLeft = -1;
      this.chunked = false;
      // HTTP/1.0 closes after the response unless it says keep-alive; HTTP/1.1 keeps it open unless it says close.
      this.closeAfter = minor === 48;
      this.untilClose = false;
      this.readHeaders(head);
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
    }
    return true;
  }

  /** Reads the header lines the engine needs; a name is compared only when its length is that of one of them. */
  private readHeaders(head: string): void {
    let at = head.indexOf('\r\n');
    while (at >= 0) {
      const start = at + 2;
      at = head.indexOf('\r\n', start);
      const end = at < 0 ? head.length : at;
      const colon = head.indexOf(':', start);
      if (colon < 0 || colon > end || !WANTED_LENGTHS.has(colon - start)) continue;
      this.readHeader(head.slice(start, colon).toLowerCase(), head.slice(colon + 1, end).trim());
    }
  }

  private readHeader(name: string, value: string): void {
    if (name === 'content-length') this.bodyLeft = Number(value);
    else if (name === 'transfer-encoding') this.chunked = value.toLowerCase().includes('chunked');
    else if (name === 'connection') {
      const lower = value.toLowerCase();
      // `keep-alive`, which every kept-alive answer carries, is read without splitting a list.
      const tokens = lower === 'keep-alive' ? [lower] : lower.split(/\s*,\s*/);
      if (tokens.includes('close')) this.closeAfter = true;
      else if (tokens.includes('keep-alive')) this.closeAfter = false;
    } else if (name === 'x-instance-id') this.result.instance = value;
    else if (name === 'x-cache-status') this.result.cache = value;
  }

  private skipChunks(): Exchanged | undefined {
    for (;;) {
      const lineEnd = this.buffer.indexOf('\r\n');
      if (lineEnd < 0) return undefined;
      const size = parseInt(this.buffer.toString('latin1', 0, lineEnd), 16);
      if (Number.isNaN(size)) throw new Error('malformed chunk size');
      if (size === 0) {
        const trailerEnd = this.buffer.indexOf(CRLFCRLF, lineEnd - 2 < 0 ? 0 : lineEnd - 2);
        if (trailerEnd < 0) return undefined;
        this.buffer = this.buffer.subarray(trailerEnd + 4);
        return this.done();
      }
      if (this.buffer.length < lineEnd + 2 + size + 2) return undefined;
      this.buffer = this.buffer.subarray(lineEnd + 2 + size + 2);
    }
  }

  private skipLength(): Exchanged | undefined {
    if (this.buffer.length < this.bodyLeft) {
      // Skip what arrived of the body instead of keeping it until the rest comes.
      this.bodyLeft -= this.buffer.length;
      this.buffer = EMPTY;
      return undefined;
    }
    this.buffer = this.buffer.subarray(this.bodyLeft);
    return this.done();
  }

  private done(): Exchanged {
    this.inBody = false;
    return this.result;
  }
}

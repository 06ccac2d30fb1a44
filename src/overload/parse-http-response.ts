/** What the engine keeps of a response. */
export interface Exchanged {
  status: number;
  instance?: string;
  cache?: string;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/**
 * An incremental HTTP/1.1 response parser that reads only what the load engine needs: the status, X-Instance-Id,
 * X-Cache-Status and the framing (Content-Length, chunked encoding, or the end of the connection); bodies are
 * skipped as they arrive. Throws on framing it does not understand rather than guessing.
 */
export class ResponseParser {
  private buffer: Buffer = Buffer.alloc(0);
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
    this.buffer = Buffer.alloc(0);
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

  /** Feeds received bytes; returns the response when it is complete. */
  push(chunk: Buffer): Exchanged | undefined {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    if (!this.inBody && !this.readHead()) return undefined;
    if (this.untilClose) {
      this.buffer = Buffer.alloc(0);
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
      for (let i = 1; i < lines.length; i++) this.readHeader(lines[i]!);
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

  private readHeader(line: string): void {
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
      this.buffer = Buffer.alloc(0);
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

/** What the header lines of one response head told the engine so far. */
export interface HeadFields {
  /** The Content-Length, or -1 without one. */
  bodyLeft: number;
  chunked: boolean;
  /** The connection cannot carry another request after this response. */
  closeAfter: boolean;
  instance: string | undefined;
  cache: string | undefined;
}

const bytesOf = (name: string): Uint8Array => Uint8Array.from(name, (c) => c.charCodeAt(0));
const CONTENT_LENGTH = bytesOf('content-length');
const X_CACHE_STATUS = bytesOf('x-cache-status');
const CONNECTION = bytesOf('connection');
const TRANSFER_ENCODING = bytesOf('transfer-encoding');
const X_INSTANCE_ID = bytesOf('x-instance-id');
const KEEP_ALIVE = bytesOf('keep-alive');

const HTTP_1 = bytesOf('HTTP/1.');

/** The status of the status line `buf[at..lineEnd)`, "HTTP/1.x SSS ...", read by byte; throws when it is not one. */
export function readStatusLine(buf: Uint8Array, at: number, lineEnd: number): number {
  const d0 = buf[at + 9]! - 48;
  const d1 = buf[at + 10]! - 48;
  const d2 = buf[at + 11]! - 48;
  const minor = buf[at + 7];
  const status = d0 * 100 + d1 * 10 + d2;
  const digits = d0 >= 0 && d0 <= 9 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9;
  let http1 = true;
  for (let i = 0; i < HTTP_1.length; i++) if (buf[at + i] !== HTTP_1[i]) http1 = false;
  if (lineEnd - at < 12 || !http1 || (minor !== 48 && minor !== 49) || buf[at + 8] !== 32 || !digits || status < 100 || status >= 600) {
    throw new Error('malformed status line');
  }
  return status;
}

/** Whether `buf[at..]` spells `lower` in any case (`lower` is lowercase). */
function spells(buf: Uint8Array, at: number, lower: Uint8Array): boolean {
  for (let i = 0; i < lower.length; i++) {
    const b = buf[at + i]!;
    if ((b >= 65 && b <= 90 ? b + 32 : b) !== lower[i]) return false;
  }
  return true;
}

/** Whether the line at `at` is header `lower`: its name, in any case, then a colon (a name holds no colon). */
function isHeader(buf: Uint8Array, at: number, lineEnd: number, lower: Uint8Array): boolean {
  return at + lower.length < lineEnd && buf[at + lower.length] === 58 && spells(buf, at, lower);
}

/** Which wanted header the line at `at` is, told first by its first letter. */
function wantedName(buf: Uint8Array, at: number, lineEnd: number): Uint8Array | undefined {
  const first = buf[at]! | 0x20;
  if (first === 99) return isHeader(buf, at, lineEnd, CONTENT_LENGTH) ? CONTENT_LENGTH : isHeader(buf, at, lineEnd, CONNECTION) ? CONNECTION : undefined;
  if (first === 120) return isHeader(buf, at, lineEnd, X_CACHE_STATUS) ? X_CACHE_STATUS : isHeader(buf, at, lineEnd, X_INSTANCE_ID) ? X_INSTANCE_ID : undefined;
  return first === 116 && isHeader(buf, at, lineEnd, TRANSFER_ENCODING) ? TRANSFER_ENCODING : undefined;
}

/** Values of X-Cache-Status and X-Instance-Id seen so far (HIT, MISS, product-1, ...), with their bytes. */
const known: Array<{ bytes: Uint8Array; text: string }> = [];
const KNOWN_MAX = 64;

/**
 * `buf[from..to)` as a string, the same string object each time the same bytes come again: a response then makes no
 * new string, and the per-value counters that key on it find an already hashed key.
 */
function knownValue(buf: Buffer, from: number, to: number): string {
  const length = to - from;
  next: for (const entry of known) {
    if (entry.bytes.length !== length) continue;
    for (let i = length - 1; i >= 0; i--) if (entry.bytes[i] !== buf[from + i]) continue next;
    return entry.text;
  }
  const text = buf.toString('latin1', from, to);
  if (known.length < KNOWN_MAX) known.push({ bytes: Uint8Array.from(buf.subarray(from, to)), text });
  return text;
}

/**
 * Reads the header line `buf[at..lineEnd)` into `into` when the engine needs it: Content-Length, Transfer-Encoding,
 * Connection, X-Instance-Id, X-Cache-Status. A line is one of them when a colon stands where that name would end,
 * and the name matches; names and the usual values (a length, `keep-alive`) are compared as bytes, so only the two
 * kept values become strings.
 */
export function readResponseHeader(buf: Buffer, at: number, lineEnd: number, into: HeadFields): void {
  const name = wantedName(buf, at, lineEnd);
  if (!name) return;
  let from = at + name.length + 1;
  let to = lineEnd;
  while (from < to && (buf[from] === 32 || buf[from] === 9)) from++;
  while (to > from && (buf[to - 1] === 32 || buf[to - 1] === 9)) to--;
  if (name === CONTENT_LENGTH) {
    if (from === to) throw new Error('malformed content-length');
    let length = 0;
    for (let i = from; i < to; i++) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) throw new Error('malformed content-length');
      length = length * 10 + d;
    }
    into.bodyLeft = length;
  } else if (name === X_CACHE_STATUS) into.cache = knownValue(buf, from, to);
  else if (name === X_INSTANCE_ID) into.instance = knownValue(buf, from, to);
  else if (name === CONNECTION) {
    if (to - from === KEEP_ALIVE.length && spells(buf, from, KEEP_ALIVE)) into.closeAfter = false;
    else {
      const tokens = buf
        .toString('latin1', from, to)
        .toLowerCase()
        .split(/\s*,\s*/);
      if (tokens.includes('close')) into.closeAfter = true;
      else if (tokens.includes('keep-alive')) into.closeAfter = false;
    }
  } else into.chunked = buf.toString('latin1', from, to).toLowerCase().includes('chunked');
}

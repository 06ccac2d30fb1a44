import type { LogEntry } from '../../kit/create-logger.js';
import { backoffDelay } from '../../common/backoff-delay.js';

/** Delivers one batch; rejects when the logger could not take it. */
export type SendBatch = (batch: LogEntry[]) => Promise<void>;

/** A bounded, batching log shipper that never blocks or fails the caller. */
export interface LogShipper {
  push(entry: LogEntry): void;
  /** Entries not shipped because the buffer was full (they went to the fallback stream instead). */
  readonly dropped: number;
  /** Ships what is buffered (best effort, bounded by the send timeout) and stops the timer; idempotent. */
  close(): Promise<void>;
}

/**
 * Ships log entries off the request path: buffered up to `maxEntries` (the oldest overflow to `fallback`), sent every `flushMs`
 * in batches of `batchSize`. A batch the logger did not take is written to `fallback` (stderr) so nothing is lost
 * silently, and shipping backs off while the logger is away.
 */
export function shipLogs(options: {
  send: SendBatch;
  maxEntries: number;
  flushMs: number;
  batchSize?: number;
  fallback?: NodeJS.WritableStream;
  onDrop?: (count: number) => void;
}): LogShipper {
  const batchSize = options.batchSize ?? 500;
  const fallback = options.fallback ?? process.stderr;
  let buffer: LogEntry[] = [];
  let dropped = 0;
  let sending: Promise<void> | undefined;
  let failures = 0;
  let pauseUntil = 0;
  let closed = false;

  const writeFallback = (batch: LogEntry[]): void => {
    for (const entry of batch) fallback.write(`${JSON.stringify(entry)}\n`);
  };

  const flush = async (): Promise<void> => {
    while (buffer.length > 0) {
      const batch = buffer.slice(0, batchSize);
      buffer = buffer.slice(batch.length);
      try {
        await options.send(batch);
        failures = 0;
      } catch {
        failures += 1;
        pauseUntil = Date.now() + backoffDelay(failures, { baseMs: options.flushMs, maxMs: 30_000, maxDoublings: 7 });
        writeFallback(batch);
        return;
      }
    }
  };

  const tick = (): void => {
    if (sending || buffer.length === 0 || Date.now() < pauseUntil) return;
    sending = flush().finally(() => {
      sending = undefined;
    });
  };
  const timer = setInterval(tick, options.flushMs);
  timer.unref();

  return {
    push(entry) {
      if (closed) {
        writeFallback([entry]);
        return;
      }
      buffer.push(entry);
      if (buffer.length > options.maxEntries) {
        const excess = buffer.length - options.maxEntries;
        writeFallback(buffer.splice(0, excess));
        dropped += excess;
        options.onDrop?.(excess);
      }
    },
    get dropped() {
      return dropped;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await sending;
      pauseUntil = 0;
      await flush();
      if (buffer.length > 0) writeFallback(buffer.splice(0));
    },
  };
}

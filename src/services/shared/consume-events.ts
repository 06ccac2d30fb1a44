import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger } from '../../kit/create-logger.js';
import { DEAD_LETTERS, EVENT_STREAM, MAX_HANDLER_ATTEMPTS, decodeEvent, type DeadLetter, type DomainEvent } from './domain-event.js';
import type { EventType } from './outbox-store.js';
import type { ProcessedEventsStore } from './processed-events-store.js';
import { retryWhileBusy } from './retry-while-busy.js';
import { backoffDelay } from '../../common/backoff-delay.js';

/** Synchronous handlers by event type; each runs inside the transaction that records the event as processed. */
export type EventHandlers = Partial<Record<EventType, (event: DomainEvent) => void>>;

/** Stream entries as XREADGROUP answers them; an entry trimmed while still pending comes back with null fields. */
type Entries = Array<[string, string[] | null]>;

/**
 * Consumes the event stream in consumer group `group` as consumer `consumer`: first its own pending entries (left by
 * a previous life of this instance), then new ones (XREADGROUP, blocking); every `claimEveryMs` it takes over entries
 * another consumer left pending longer than `claimIdleMs` (XAUTOCLAIM), as when it was killed mid-batch. Each event is
 * applied at most once (processed-events table, same transaction as the handler) and acknowledged after. Events
 * without a handler are acknowledged, and so is an entry that is gone from the stream (logged). A handler that keeps
 * failing gives its event up after `maxAttempts` runs: the event goes to the dead-letter list and is acknowledged.
 * A dedicated Redis connection is used for the blocking reads. Returns a stop function.
 */
export function consumeEvents(options: {
  redis: Redis;
  group: string;
  consumer: string;
  handlers: EventHandlers;
  processed: ProcessedEventsStore;
  log: Logger;
  afterApply?: (event: DomainEvent) => void;
  claimIdleMs?: number;
  claimEveryMs?: number;
  blockMs?: number;
  /** Least time from a read that found more than one event to the next read. */
  spacingMs?: number;
  /**
   * How long Redis may be not ready before the consumer says it waits (default 2 s): a cluster starts its services
   * beside redis-server, so at start it is seldom ready yet, and a warning there was noise in every healthy start.
   */
  quietRedisWaitMs?: number;
  maxAttempts?: number;
}): () => Promise<void> {
  const { redis, group, consumer } = options;
  const stop = new AbortController();
  let groupReady = false;
  let lastClaim = 0;
  let lastBatchAt = 0;
  const spacingMs = options.spacingMs ?? 5;
  const attempts = new Map<string, number>();
  const maxAttempts = options.maxAttempts ?? MAX_HANDLER_ATTEMPTS;

  const handledType = (fields: readonly string[]): boolean => {
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'type') return Object.hasOwn(options.handlers, fields[i + 1]!);
    return false;
  };

  const giveUp = async (streamId: string, event: DomainEvent, tries: number, error: string): Promise<void> => {
    const letter: DeadLetter = { group, streamId, event, attempts: tries, error, at: new Date().toISOString() };
    await redis.multi().lpush(DEAD_LETTERS, JSON.stringify(letter)).xack(EVENT_STREAM, group, streamId).exec();
    options.log.error('event handler kept failing; the event is now a dead letter', {
      eventId: event.id,
      type: event.type,
      attempts: tries,
      error,
    });
  };

  const handle = async (entries: Entries): Promise<void> => {
    const done: string[] = [];
    const work: Array<{ streamId: string; event: DomainEvent; apply: () => void }> = [];
    for (const [streamId, fields] of entries) {
      if (!fields) {
        options.log.warn('a pending event was trimmed from the stream before it was processed', { group, streamId });
        done.push(streamId);
        continue;
      }
      // An event of a type this group has no handler for is acknowledged without decoding its payload (the order
      // service reads every ORDER_PLACED it publishes only to acknowledge it).
      const event = handledType(fields) ? decodeEvent(fields) : undefined;
      const handler = event ? options.handlers[event.type] : undefined;
      if (event && handler) work.push({ streamId, event, apply: () => handler(event) });
      else done.push(streamId);
    }
    // The whole batch in one write transaction (one lock and commit instead of one per event), each event isolated.
    const outcomes =
      work.length === 0 ? [] : await retryWhileBusy(() => options.processed.applyEach(work.map((w) => ({ eventId: w.event.id, apply: w.apply }))));
    for (const [i, { streamId, event }] of work.entries()) {
      const outcome = outcomes[i];
      if (outcome instanceof Error) {
        const tries = (attempts.get(streamId) ?? 0) + 1;
        if (tries >= maxAttempts) {
          attempts.delete(streamId);
          await giveUp(streamId, event, tries, outcome.message);
        } else {
          attempts.set(streamId, tries);
          options.log.error('event handler failed; it will be retried', { eventId: event.id, type: event.type, attempt: tries, error: outcome.message });
        }
        continue;
      }
      if (outcome) options.afterApply?.(event);
      attempts.delete(streamId);
      done.push(streamId);
    }
    if (done.length) await redis.xack(EVENT_STREAM, group, ...done);
  };

  const loop = async (): Promise<void> => {
    let failures = 0;
    let ownPendingDone = false;
    while (!stop.signal.aborted) {
      try {
        if (redis.status !== 'ready' && !(await readyWithin(redis, options.quietRedisWaitMs ?? 2000, stop.signal))) throw new Error('redis not ready');
        if (!groupReady) {
          await redis.xgroup('CREATE', EVENT_STREAM, group, '0', 'MKSTREAM').catch((err: Error) => {
            if (!err.message.includes('BUSYGROUP')) throw err;
          });
          groupReady = true;
        }
        if (!ownPendingDone) {
          const mine = (await redis.xreadgroup('GROUP', group, consumer, 'COUNT', 100, 'STREAMS', EVENT_STREAM, '0')) as Array<[string, Entries]> | null;
          const entries = mine?.[0]?.[1] ?? [];
          await handle(entries);
          if (entries.length === 0) ownPendingDone = true;
          continue;
        }
        if (Date.now() - lastClaim >= (options.claimEveryMs ?? 2000)) {
          lastClaim = Date.now();
          const claimed = (await redis.xautoclaim(EVENT_STREAM, group, consumer, options.claimIdleMs ?? 5000, '0-0', 'COUNT', 100)) as [string, Entries];
          const entries = (claimed?.[1] ?? []).filter((e): e is [string, string[]] => Array.isArray(e));
          if (entries.length) options.log.info('claimed events left pending by another consumer', { count: entries.length });
          await handle(entries);
        }
        // After a read that found several events (they come faster than reads), the next starts `spacingMs` after it
        // at the earliest: under a stream of events each read takes a batch (one transaction, one XACK), not one event.
        // A read that found one event does not hold the next back: events a few ms apart are each read at once.
        const wait = lastBatchAt + spacingMs - Date.now();
        if (wait > 0) await sleep(wait, undefined, { signal: stop.signal });
        const readAt = Date.now();
        const fresh = (await redis.xreadgroup('GROUP', group, consumer, 'COUNT', 100, 'BLOCK', options.blockMs ?? 1000, 'STREAMS', EVENT_STREAM, '>')) as Array<
          [string, Entries]
        > | null;
        const entries = fresh?.[0]?.[1] ?? [];
        lastBatchAt = entries.length > 1 ? readAt : 0;
        await handle(entries);
        if (failures > 0) options.log.info('event consumer recovered', { group });
        failures = 0;
      } catch (err) {
        if (stop.signal.aborted) return;
        const message = err instanceof Error ? err.message : String(err);
        if (message.includes('NOGROUP')) groupReady = false;
        if (failures === 0) options.log.warn('event consumer waiting for redis', { group, error: message });
        failures++;
        await sleep(backoffDelay(failures, { baseMs: 50, maxMs: 2000 }), undefined, { signal: stop.signal }).catch(() => undefined);
      }
    }
  };
  const running = loop();
  return async () => {
    stop.abort();
    redis.disconnect();
    await running;
  };
}

/** Whether `redis` becomes ready within `ms` (false at once when `signal` aborts). */
function readyWithin(redis: Redis, ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ready: boolean): void => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      signal.removeEventListener('abort', onAbort);
      resolve(ready);
    };
    const onReady = (): void => done(true);
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(redis.status === 'ready'), ms);
    redis.on('ready', onReady);
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) done(false);
  });
}

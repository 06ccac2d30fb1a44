import { setImmediate as yieldTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger } from '../../kit/create-logger.js';
import { EVENT_STREAM, EVENT_STREAM_KEEP, encodeEvent } from './domain-event.js';
import { trimEventStream } from './trim-event-stream.js';
import type { OutboxStore } from './outbox-store.js';
import { retryWhileBusy } from './retry-while-busy.js';

/**
 * Publishes a service's outbox to the event stream: the events this instance appended (claimed by it as they were
 * written), then unsent events it claims (so several instances share the work), XADDed in one pipeline, then marked
 * sent. It runs as soon as this process appends an event (the commit
 * wakes it; after a run that published a batch, `spacingMs` after that run) and every `everyMs` as a fallback (events appended by another process, a failed run). While Redis is
 * away events stay in the outbox and are published once it is back. A claim that outlives a crashed relay is taken
 * over after `claimStaleMs`; an event published twice that way keeps its id, and consumers apply each id once. Every
 * `trimEveryMs` the stream is trimmed towards `keep` entries, never past an entry some consumer group has not
 * acknowledged. Returns a stop function.
 */
export function relayOutbox(options: {
  outbox: OutboxStore;
  redis: Redis;
  service: string;
  instanceId: string;
  log: Logger;
  everyMs?: number;
  /** Least time from the start of a run that published more than one event to the start of the next. */
  spacingMs?: number;
  claimStaleMs?: number;
  trimEveryMs?: number;
  keep?: number;
}): () => Promise<void> {
  const staleMs = options.claimStaleMs ?? 10_000;
  const spacingMs = options.spacingMs ?? 5;
  let lastBatchAt = 0;
  let stopped = false;
  let failing = false;
  let lastTrim = Date.now();
  const trim = async (): Promise<void> => {
    if (options.redis.status !== 'ready' || Date.now() - lastTrim < (options.trimEveryMs ?? 5000)) return;
    lastTrim = Date.now();
    const trimmed = await trimEventStream(options.redis, EVENT_STREAM, options.keep ?? EVENT_STREAM_KEEP);
    if (trimmed > 0) options.log.debug('trimmed acknowledged events from the stream', { trimmed });
  };
  /** Publishes this instance's unsent events, then what is claimable; answers how many events it published. */
  const publish = async (): Promise<number> => {
    let published = 0;
    if (options.redis.status !== 'ready') return published;
    for (;;) {
      // Events appended by this instance are claimed by it already (a read finds them); others' only when their claim
      // is stale or was never made, and a read first, so an idle relay never takes the write lock requests need.
      let batch = options.outbox.claimedBy(options.instanceId, 200);
      if (batch.length === 0 && options.outbox.claimable(staleMs)) batch = await retryWhileBusy(() => options.outbox.claim(options.instanceId, 200, staleMs));
      if (batch.length === 0) return published;
      const tx = options.redis.pipeline();
      for (const e of batch) {
        tx.xadd(
          EVENT_STREAM,
          '*',
          ...encodeEvent({ id: `${options.service}:${e.id}`, type: e.type, payload: e.payload, ts: e.createdAt, source: options.instanceId }),
        );
      }
      const results = await tx.exec();
      const sent = batch.filter((_, i) => results?.[i] && !results[i]![0]).map((e) => e.id);
      // A turn first: what the same Redis answer resolved (a write's acknowledgement) goes out before this commit.
      await yieldTurn();
      await retryWhileBusy(() => options.outbox.markSent(sent));
      if (sent.length < batch.length) throw new Error(`published ${sent.length} of ${batch.length} events`);
      published += sent.length;
      // A short batch was all there was when it was read: what was appended since woke a run of its own.
      if (batch.length < 200) return published;
    }
  };
  let running: Promise<void> = Promise.resolve();
  let queued = false;
  const runOnce = (): void => {
    if (queued || stopped) return;
    queued = true;
    running = running.then(async () => {
      // A run starts at least `spacingMs` after one that published a batch (events came faster than runs): under a
      // stream of commits each run publishes a batch, not one event (two commits and a round trip to Redis each). A run
      // that published one event does not hold the next back: events a few ms apart each go at once.
      const wait = lastBatchAt + spacingMs - Date.now();
      if (wait > 0) await sleep(wait);
      queued = false;
      if (stopped) return;
      const startedAt = Date.now();
      try {
        const published = await publish();
        if (published > 0) lastBatchAt = published > 1 ? startedAt : 0;
        await trim();
        if (failing) options.log.info('event relay recovered');
        failing = false;
      } catch (err) {
        if (!failing) options.log.warn('event relay failed, events stay in the outbox', { error: err instanceof Error ? err.message : String(err) });
        failing = true;
      }
    });
  };
  const unsubscribe = options.outbox.onAppend(runOnce);
  const timer = setInterval(runOnce, options.everyMs ?? 100);
  timer.unref();
  return async () => {
    stopped = true;
    unsubscribe();
    clearInterval(timer);
    await running;
  };
}

import { setImmediate } from 'node:timers';
import type { Db } from './open-database.js';
import { retryWhileBusy } from './retry-while-busy.js';

/** Runs a synchronous write of one request; resolves with what it returned, rejects with what it threw. */
export type GroupedWrite = <T>(write: () => T) => Promise<T>;

interface Queued {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: the writes requested during one turn of the event loop run together in ONE immediate transaction
 * (one write lock, one commit) instead of one each, every write in a savepoint of its own, so a write that throws
 * is rolled back alone and only its caller sees the error. A lock held by another process is waited for as
 * `retryWhileBusy` does (yielding, never blocking). Under load, concurrent requests share commits; a lone request
 * waits one turn.
 */
export function groupCommit(db: Db): GroupedWrite {
  let queue: Queued[] = [];
  const isolated = db.transaction((write: () => unknown) => write());
  const runAll = db.transaction((batch: readonly Queued[]) =>
    batch.map((q): { ok: true; value: unknown } | { ok: false; error: unknown } => {
      try {
        return { ok: true, value: isolated(q.write) };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );
  const flush = (): void => {
    const batch = queue;
    queue = [];
    retryWhileBusy(() => runAll.immediate(batch)).then(
      (outcomes) => outcomes.forEach((o, i) => (o.ok ? batch[i]!.resolve(o.value) : batch[i]!.reject(o.error))),
      (err: unknown) => batch.forEach((q) => q.reject(err)),
    );
  };
  return <T>(write: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
    });
}

import type { ServiceMetrics } from '../../kit/create-metrics.js';
import { observeLockWaits } from './retry-while-busy.js';

/** Counts this process's waits for another process's SQLite lock in `metrics`: how many, by outcome, and for how long. */
export function countLockWaits(metrics: ServiceMetrics): void {
  const waits = metrics.counter(
    'ecom_sqlite_lock_waits_total',
    "Writes, and reads the cache loads, that met another process's SQLite lock, by outcome (written: done after waiting).",
    ['outcome'],
  );
  const seconds = metrics.counter('ecom_sqlite_lock_wait_seconds_total', 'Time writes and cache loads waited (yielding) for a SQLite lock.');
  observeLockWaits((ms, _tries, gaveUp) => {
    waits.inc({ outcome: gaveUp ? 'gave_up' : 'written' });
    seconds.inc(ms / 1000);
  });
}

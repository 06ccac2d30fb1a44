import { performance } from 'node:perf_hooks';
import type { LoadStats } from './collect-load-stats.js';
import type { LoadSnapshot } from './load-snapshot.js';
import type { GeneratorSampler } from './sample-generator-load.js';

/** What the once-a-second snapshot needs to know about the run. */
export interface SnapshotClock {
  stats: LoadStats;
  sampler: GeneratorSampler;
  open: boolean;
  planned: number;
  durationMs?: number;
  /** `performance.now()` of the first measured instant. */
  startedAt: number;
  onSnapshot?: (snapshot: LoadSnapshot) => void;
  /** Brings every worker thread's counts in before a snapshot is taken (nothing to do when the load runs in this thread). */
  collect?: () => Promise<void>;
}

/**
 * Emits a snapshot at every whole second since `startedAt` (after `collect` brought the workers' counts in) until
 * `finish`, which stops the ticks, collects the last counts and returns the final snapshot.
 */
export function emitSnapshots(clock: SnapshotClock): { finish(): Promise<LoadSnapshot>; abandon(): void } {
  const elapsed = (): number => performance.now() - clock.startedAt;
  let completedCount = 0;
  const eta = (): number | null => {
    if (clock.open) return Math.max(0, (clock.durationMs ?? 0) - elapsed());
    const rate = completedCount / Math.max(1, elapsed());
    return rate > 0 ? Math.round((clock.planned - completedCount) / rate) : null;
  };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> = Promise.resolve();
  let second = 0;
  const schedule = (): void => {
    // The next whole second still ahead: a tick late by more than a second skips the missed ones, as setInterval does.
    second = Math.max(second + 1, Math.floor(elapsed() / 1000) + 1);
    timer = setTimeout(
      () => {
        ticking = (async () => {
          await clock.collect?.();
          if (stopped) return;
          const snap = clock.stats.snapshot({
            final: false,
            elapsedMs: elapsed(),
            etaMs: eta(),
            generator: { total: clock.sampler.total(), now: clock.sampler.lastInterval() },
          });
          completedCount = snap.completed;
          clock.onSnapshot?.(snap);
          schedule();
        })();
      },
      Math.max(0, clock.startedAt + second * 1000 - performance.now()),
    );
  };
  schedule();
  return {
    /** Stops the ticks without a final snapshot (the run failed). */
    abandon() {
      stopped = true;
      clearTimeout(timer);
      clock.sampler.stop();
    },
    async finish() {
      stopped = true;
      clearTimeout(timer);
      await ticking;
      await clock.collect?.();
      clock.sampler.stop();
      const total = clock.sampler.total();
      const final = clock.stats.snapshot({ final: true, elapsedMs: elapsed(), etaMs: 0, generator: { total, now: total } });
      clock.onSnapshot?.(final);
      return final;
    },
  };
}

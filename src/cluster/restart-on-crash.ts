/** Settings of the crash restart policy. */
export interface BackoffOptions {
  /** The first restart of a process that was not crashing happens at once: a single kill costs no waiting. */
  firstAtOnce: boolean;
  initialMs: number;
  maxMs: number;
  factor: number;
  /** A process that ran this long before exiting counts as stable: the backoff starts over. */
  stableAfterMs: number;
  /** This many restarts within `crashLoopWindowMs` mark the process as crash-looping (it is still retried). */
  crashLoopRestarts: number;
  crashLoopWindowMs: number;
}

/** Crash restart defaults: at once, then 100 ms, 200 ms, 400 ms ... capped at 10 s; reset after 10 s of uptime. */
export const DEFAULT_BACKOFF: BackoffOptions = {
  firstAtOnce: true,
  initialMs: 100,
  maxMs: 10_000,
  factor: 2,
  stableAfterMs: 10_000,
  crashLoopRestarts: 5,
  crashLoopWindowMs: 60_000,
};

/** Decides, after each unexpected exit, how long to wait before starting again and whether it is a crash loop. */
export interface RestartPolicy {
  next(exit: { uptimeMs: number; at: number }): { delayMs: number; crashLoop: boolean };
}

/** Exponential backoff with reset after a stable run, and crash-loop detection over a sliding window. */
export function restartOnCrash(options: Partial<BackoffOptions> = {}): RestartPolicy {
  const o = { ...DEFAULT_BACKOFF, ...options };
  let attempt = 0;
  let recent: number[] = [];
  return {
    next({ uptimeMs, at }) {
      if (uptimeMs >= o.stableAfterMs) attempt = 0;
      const step = o.firstAtOnce ? attempt - 1 : attempt;
      const delayMs = step < 0 ? 0 : Math.min(o.maxMs, Math.round(o.initialMs * o.factor ** step));
      attempt++;
      recent = [...recent.filter((t) => at - t < o.crashLoopWindowMs), at];
      return { delayMs, crashLoop: recent.length >= o.crashLoopRestarts };
    },
  };
}

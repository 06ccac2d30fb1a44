/** Result of one health probe. */
export type HealthProbe = () => Promise<boolean>;

/** Health as status shows it. */
export type Health = 'starting' | 'healthy' | 'unhealthy';

/** What the health checks of one process do, and how often. */
export interface HealthCheckOptions {
  probe: HealthProbe;
  isRunning: () => boolean;
  /** Replaces the process (the supervisor kills it at once: it failed every check, it cannot stop gracefully). */
  restart: () => Promise<void>;
  /** Called at the first failed check of a healthy process, to take it out of the gateway's rotation at once. */
  leave?: () => Promise<void>;
  /** Pause between checks while they pass. */
  intervalMs: number;
  /** Pause before a failed check of a process that was healthy is repeated (shorter, so a hung one is replaced sooner). */
  retryMs?: number;
  failuresBeforeRestart: number;
  /** How long a process that has not been healthy since it (re)started may fail checks before it is restarted. */
  startGraceMs?: number;
  /** Pause between checks while the process is starting (default `intervalMs`): a replacement is seen healthy soon. */
  startingPollMs?: number;
  onHealth?: (health: Health, consecutiveFailures: number) => void;
}

/**
 * Probes a running process every `intervalMs` (every `retryMs` once it failed after being healthy). The first failure of a healthy
 * process turns it unhealthy and calls `leave`; after `failuresBeforeRestart` failures in a row it calls `restart`
 * (which docker compose's healthcheck cannot do), not before `startGraceMs` for a process that has not answered since
 * it (re)started. Probing pauses while `isRunning()` is false and the count starts
 * over after each restart. Returns the live health reading and a stop function.
 */
export function restartOnHealthFailure(options: HealthCheckOptions): { health(): Health; markHealthy(): void; markStarting(): void; stop(): void } {
  let health: Health = 'starting';
  let failures = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let startingSince = Date.now();
  let everHealthy = false;
  let ticking = false;
  const set = (next: Health): void => {
    health = next;
    if (next === 'healthy') everHealthy = true;
    options.onHealth?.(next, failures);
  };
  const fail = async (): Promise<void> => {
    failures++;
    // A slow start (a loaded machine) is not a hang: a process that never answered gets its grace period first.
    const inGrace = health === 'starting' && Date.now() - startingSince < (options.startGraceMs ?? 0);
    const restarting = failures >= options.failuresBeforeRestart && !inGrace;
    // A process that never became healthy is still starting; only a healthy one turns unhealthy at once.
    if (health === 'healthy') {
      set('unhealthy');
      void options.leave?.().catch(() => undefined);
    } else if (restarting) set('unhealthy');
    if (restarting && !stopped) {
      failures = 0;
      await options.restart();
      startingSince = Date.now();
      set('starting');
    }
  };
  const tick = async (): Promise<void> => {
    if (!options.isRunning()) {
      failures = 0;
      startingSince = Date.now();
      if (health !== 'starting') set('starting');
      return;
    }
    const ok = await options.probe().catch(() => false);
    if (stopped) return;
    if (!ok) return fail();
    failures = 0;
    if (health !== 'healthy') set('healthy');
  };
  const schedule = (): void => {
    if (stopped) return;
    // A process that was healthy and failed is re-checked sooner, and one starting again (a replacement after a crash)
    // is checked at start-up pace, so status sees it healthy when it answers, not a second later. Its first start is
    // left to the supervisor's own start-up wait, which probes at that pace already.
    const pause = health === 'unhealthy' ? options.retryMs : health === 'starting' && everHealthy ? options.startingPollMs : undefined;
    timer = setTimeout(() => {
      ticking = true;
      void tick().finally(() => {
        ticking = false;
        schedule();
      });
    }, pause ?? options.intervalMs);
    timer.unref();
  };
  schedule();
  return {
    health: () => health,
    /** Records a successful probe made elsewhere (the supervisor's start-up wait). */
    markHealthy: () => {
      failures = 0;
      if (health !== 'healthy') set('healthy');
    },
    /** The process ended and is being started again: it is starting (with its grace period), not a healthy one failing. */
    markStarting: () => {
      failures = 0;
      startingSince = Date.now();
      if (health !== 'starting') set('starting');
      // At start-up pace from now (a check under way schedules the next one itself).
      if (!ticking && !stopped) {
        clearTimeout(timer);
        schedule();
      }
    },
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

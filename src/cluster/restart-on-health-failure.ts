/** Result of one health probe. */
export type HealthProbe = () => Promise<boolean>;

/** Health as status shows it. */
export type Health = 'starting' | 'healthy' | 'unhealthy';

/**
 * Probes a running process every `intervalMs`; after `failuresBeforeRestart` failures in a row it calls `restart`
 * (which docker compose's healthcheck cannot do). Probing pauses while `isRunning()` is false and the count starts
 * over after each restart. Returns the live health reading and a stop function.
 */
export function restartOnHealthFailure(options: {
  probe: HealthProbe;
  isRunning: () => boolean;
  restart: () => Promise<void>;
  intervalMs: number;
  failuresBeforeRestart: number;
  onHealth?: (health: Health, consecutiveFailures: number) => void;
}): { health(): Health; markHealthy(): void; stop(): void } {
  let health: Health = 'starting';
  let failures = 0;
  let busy = false;
  const set = (next: Health): void => {
    health = next;
    options.onHealth?.(next, failures);
  };
  const tick = async (): Promise<void> => {
    if (!options.isRunning()) {
      failures = 0;
      if (health !== 'starting') set('starting');
      return;
    }
    const ok = await options.probe().catch(() => false);
    if (ok) {
      failures = 0;
      if (health !== 'healthy') set('healthy');
      return;
    }
    failures++;
    // A process that never became healthy is still starting; only a healthy one turns unhealthy at once.
    if (health === 'healthy' || failures >= options.failuresBeforeRestart) set('unhealthy');
    if (failures >= options.failuresBeforeRestart) {
      failures = 0;
      await options.restart();
      set('starting');
    }
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    tick().finally(() => (busy = false));
  }, options.intervalMs);
  timer.unref();
  return {
    health: () => health,
    /** Records a successful probe made elsewhere (the supervisor's start-up wait). */
    markHealthy: () => {
      failures = 0;
      if (health !== 'healthy') set('healthy');
    },
    stop: () => clearInterval(timer),
  };
}

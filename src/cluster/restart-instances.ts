/** What restarting the instances of one kind needs from the supervisor. */
export interface RestartSteps<T> {
  /** Starts a replacement (new id and port) and resolves once it is healthy, registered and routed. */
  startReplacement(old: T): Promise<unknown>;
  /** Deregisters, drains and stops an instance for good. */
  retire(old: T): Promise<void>;
  /** Stops and starts an instance in place, resolving once it is ready again. */
  restartInPlace(entry: T): Promise<void>;
}

/**
 * Restarts instances. Rolling: one at a time, the replacement is ready before the old instance goes, so the kind
 * never has fewer ready instances than before. Otherwise all restart in place at once.
 */
export async function restartInstances<T>(instances: readonly T[], rolling: boolean, steps: RestartSteps<T>): Promise<void> {
  if (!rolling) {
    await Promise.all(instances.map((entry) => steps.restartInPlace(entry)));
    return;
  }
  for (const old of instances) {
    await steps.startReplacement(old);
    await steps.retire(old);
  }
}

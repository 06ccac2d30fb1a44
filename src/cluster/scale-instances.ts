/** What scaling one kind needs from the supervisor. */
export interface ScaleSteps<T> {
  /** Starts one more instance and resolves with its name once ready; undefined when enough run meanwhile. */
  startOne(): Promise<string | undefined>;
  /** Deregisters, drains and stops an instance for good. */
  retire(entry: T): Promise<void>;
  nameOf(entry: T): string;
  idOf(entry: T): number;
  progress(line: string): void;
}

/**
 * Brings `list` (the live instances, updated by the steps) to `count`: when there are too few, starts the missing ones
 * all at once (the slot allocator keeps their ids and ports apart) and fails with the first error once every start
 * has ended; when there are too many, stops the newest (highest ids) in parallel.
 */
export async function scaleInstances<T>(list: readonly T[], count: number, steps: ScaleSteps<T>): Promise<{ added: string[]; removed: string[] }> {
  const starts = await Promise.allSettled(Array.from({ length: Math.max(0, count - list.length) }, () => steps.startOne()));
  const failed = starts.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const added = starts.map((s) => (s as PromiseFulfilledResult<string | undefined>).value).filter((n): n is string => n !== undefined);
  const victims = [...list].sort((a, b) => steps.idOf(b) - steps.idOf(a)).slice(0, Math.max(0, list.length - count));
  if (victims.length > 0) {
    steps.progress(`stopping ${victims.map(steps.nameOf).join(', ')}`);
    await Promise.all(victims.map((v) => steps.retire(v)));
  }
  return { added, removed: victims.map(steps.nameOf) };
}

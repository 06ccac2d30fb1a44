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
 * Brings `list` (the live instances, updated by the steps) to `count`: starts instances one at a time while there
 * are too few; when there are too many, stops the newest (highest ids) in parallel.
 */
export async function scaleInstances<T>(list: readonly T[], count: number, steps: ScaleSteps<T>): Promise<{ added: string[]; removed: string[] }> {
  const added: string[] = [];
  while (list.length < count) {
    const name = await steps.startOne();
    if (name === undefined) break;
    added.push(name);
  }
  const victims = [...list].sort((a, b) => steps.idOf(b) - steps.idOf(a)).slice(0, Math.max(0, list.length - count));
  if (victims.length > 0) {
    steps.progress(`stopping ${victims.map(steps.nameOf).join(', ')}`);
    await Promise.all(victims.map((v) => steps.retire(v)));
  }
  return { added, removed: victims.map(steps.nameOf) };
}

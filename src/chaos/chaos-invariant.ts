/** One invariant `ecom chaos` checks after the run: whether it held, a one-line account, and the offending items. */
export interface Invariant {
  name: 'failed requests' | 'stock conservation' | 'orders' | 'events' | 'cluster afterwards';
  ok: boolean;
  detail: string;
  /** What broke it (at most a few dozen entries). */
  items?: unknown[];
}

/** Keeps a report readable: the first `max` offending items. */
export function firstOf<T>(items: readonly T[], max = 50): T[] {
  return items.slice(0, max);
}

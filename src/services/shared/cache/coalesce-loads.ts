/** Shares one running load among every caller asking for the same key meanwhile (stampede protection). */
export interface LoadCoalescer {
  /** Starts `load` for `key`, or joins the one already running (`joined`); a finished load, ok or not, is forgotten. */
  run<T>(key: string, load: () => Promise<T>): { result: Promise<T>; joined: boolean };
  /** How many loads are running. */
  readonly pending: number;
}

/** Creates a coalescer; a failed load rejects every caller that joined it, and the next call loads again. */
export function coalesceLoads(): LoadCoalescer {
  const running = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, load: () => Promise<T>) {
      const shared = running.get(key);
      if (shared) return { result: shared as Promise<T>, joined: true };
      const result: Promise<T> = (async () => load())().finally(() => {
        if (running.get(key) === result) running.delete(key);
      });
      running.set(key, result);
      return { result, joined: false };
    },
    get pending() {
      return running.size;
    },
  };
}

import type { ChangeSignal } from '../change-signal.js';

/** Most copies one process keeps; reaching it drops them all (they refill from Redis in one round trip each). */
export const LOCAL_MAX_ENTRIES = 10_000;

/** The in-process copies in front of Redis, valid only while the service's change signal has not moved. */
export interface LocalTier {
  /** Notices a move of the signal (dropping every copy, then calling `onMove`); returns the version to read under. */
  sync(): number;
  /** The copy kept under `name`, or `undefined`. */
  get(name: string): unknown;
  /** Keeps a frozen `value` under `name`, unless it is `undefined` or the signal moved since `version` was read. */
  keep(version: number, name: string, value: unknown): void;
  /** How many copies are kept. */
  readonly size: number;
}

/** Freezes `value` and everything reachable from it, so a copy handed to many readers cannot be changed by one. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Creates the local tier. Every invalidation (by any instance) bumps `signal` after committing and before
 * acknowledging, and every read calls `sync()` first (one fstat), so no copy outlives a write.
 */
export function createLocalTier(options: { signal: Pick<ChangeSignal, 'version'>; maxEntries?: number; onMove?: () => void }): LocalTier {
  const maxEntries = options.maxEntries ?? LOCAL_MAX_ENTRIES;
  const copies = new Map<string, unknown>();
  let seenVersion = -1;
  return {
    sync() {
      const version = options.signal.version();
      if (version !== seenVersion) {
        seenVersion = version;
        copies.clear();
        options.onMove?.();
      }
      return version;
    },
    get: (name) => copies.get(name),
    keep(version, name, value) {
      // Only if no change was noticed meanwhile; a change not yet noticed clears the copy at the next read.
      if (value === undefined || version !== seenVersion) return;
      if (copies.size >= maxEntries) copies.clear();
      copies.set(name, deepFreeze(value));
    },
    get size() {
      return copies.size;
    },
  };
}

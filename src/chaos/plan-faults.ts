/** The faults `ecom chaos` knows, in the order the README lists them. */
export const FAULT_KINDS = ['kill-instance', 'term-instance', 'kill-redis', 'restart-registry', 'reload-gateway', 'pause-instance', 'slow-instance'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One fault on the schedule: when, what, and a number in [0, 1) that picks its target when it fires. */
export interface PlannedFault {
  atMs: number;
  kind: FaultKind;
  pick: number;
}

/** A small seeded generator (mulberry32): the same seed gives the same schedule and the same targets. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The fault schedule: one fault every `everyMs` from `everyMs` on, the last one at least `everyMs` before the end so
 * the cluster is seen recovering under load. Kinds are dealt from shuffled rounds of `kinds`, so every kind comes up
 * as evenly as the run allows, in an order the seed fixes.
 */
export function planFaults(options: { seed: number; durationMs: number; everyMs: number; kinds: readonly FaultKind[] }): PlannedFault[] {
  const random = seededRandom(options.seed);
  const plan: PlannedFault[] = [];
  let round: FaultKind[] = [];
  for (let at = options.everyMs; at <= options.durationMs - options.everyMs; at += options.everyMs) {
    if (round.length === 0) {
      round = [...options.kinds];
      for (let i = round.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [round[i], round[j]] = [round[j]!, round[i]!];
      }
    }
    plan.push({ atMs: at, kind: round.shift()!, pick: random() });
  }
  return plan;
}

/** Parses `--faults a,b,c`; unknown names are reported all at once. */
export function parseFaultKinds(list: string): { kinds: FaultKind[]; unknown: string[] } {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const known = new Set<string>(FAULT_KINDS);
  return { kinds: names.filter((n): n is FaultKind => known.has(n)), unknown: names.filter((n) => !known.has(n)) };
}

import { randomInt } from 'node:crypto';
import { UsageError } from '../common/ecom-error.js';
import { parseFlagDuration } from '../common/parse-duration.js';
import { SCENARIOS, type ScenarioName } from '../overload/build-scenario.js';
import { FAULT_KINDS, parseFaultKinds } from './plan-faults.js';
import type { ChaosPlan } from './run-chaos.js';

/** Flags of `ecom chaos` as the CLI parsed them (strings where the user wrote durations). */
export interface ChaosFlags {
  duration: string;
  rate: number;
  scenario: string;
  every: string;
  seed?: number;
  faults: string;
  concurrency: number;
  timeout: string;
  settle: string;
}

/** Defaults of `ecom chaos`: a minute of mixed load at 100 req/s with a fault every 3 s, all fault kinds. */
export const CHAOS_DEFAULTS = {
  duration: '60s',
  rate: 100,
  scenario: 'mix',
  every: '3s',
  faults: FAULT_KINDS.join(','),
  concurrency: 64,
  timeout: '30s',
  settle: '60s',
  pauseMs: 2000,
  slowMs: 3000,
  latencyMs: 300,
} as const;

/** Validates the flags (every problem is bad usage, exit 2, before anything is sent) and fills in the plan. */
export function planChaos(flags: ChaosFlags): ChaosPlan {
  const durationMs = parseFlagDuration(flags.duration, '--duration');
  const everyMs = parseFlagDuration(flags.every, '--every');
  if (everyMs * 2 > durationMs) {
    throw new UsageError(
      'invalid_option',
      `--every ${flags.every} leaves no fault in a ${flags.duration} run: the first fault comes after --every and the last one --every before the end`,
    );
  }
  if (!(SCENARIOS as readonly string[]).includes(flags.scenario)) {
    throw new UsageError('invalid_option', `--scenario: expected one of ${SCENARIOS.join(', ')}, got "${flags.scenario}"`);
  }
  const { kinds, unknown } = parseFaultKinds(flags.faults);
  if (unknown.length) throw new UsageError('invalid_option', `--faults: unknown ${unknown.join(', ')} (known: ${FAULT_KINDS.join(', ')})`);
  if (kinds.length === 0) throw new UsageError('invalid_option', `--faults: expected at least one of ${FAULT_KINDS.join(', ')}`);
  return {
    durationMs,
    everyMs,
    rate: flags.rate,
    scenario: flags.scenario as ScenarioName,
    seed: flags.seed ?? randomInt(1, 2 ** 31),
    kinds,
    concurrency: flags.concurrency,
    timeoutMs: parseFlagDuration(flags.timeout, '--timeout'),
    settleMs: parseFlagDuration(flags.settle, '--settle'),
    timings: { pauseMs: CHAOS_DEFAULTS.pauseMs, slowMs: CHAOS_DEFAULTS.slowMs, latencyMs: CHAOS_DEFAULTS.latencyMs },
  };
}

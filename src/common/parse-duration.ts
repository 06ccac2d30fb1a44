import { EcomError, UsageError } from './ecom-error.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "250ms", "1s", "5m", "2h", "1d" (or a bare number of milliseconds) into milliseconds. */
export function parseDuration(text: string, field = 'duration'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) {
    throw new EcomError('invalid_duration', `${field}: expected a duration like 500ms, 1s, 5m or 2h, got "${text}"`, {
      status: 400,
    });
  }
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']!);
}

/** A duration given as a command-line flag that must be above zero: a malformed or zero one is bad usage (exit 2). */
export function parseFlagDuration(text: string, flag: string): number {
  let ms: number;
  try {
    ms = parseDuration(text, flag);
  } catch (err) {
    throw new UsageError('invalid_option', err instanceof Error ? err.message : String(err));
  }
  if (ms <= 0) throw new UsageError('invalid_option', `${flag}: expected a duration above zero, got "${text}"`);
  return ms;
}

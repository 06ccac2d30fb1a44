import { UsageError } from '../common/ecom-error.js';

/** Parses an integer flag within [min, max], naming the flag when the value is wrong. */
export function parseIntegerOption(value: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError('invalid_option', `${flag}: expected an integer from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/common/backoff-delay.js';

describe('the backoff delay', () => {
  it('starts at the base, doubles per failure and stops at the maximum', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, { baseMs: 50, maxMs: 1000 }))).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(1e6, { baseMs: 50, maxMs: 2000 })).toBe(2000);
  });

  it('doubles at most maxDoublings times, below the maximum if that comes first', () => {
    expect(backoffDelay(20, { baseMs: 25, maxMs: 5000, maxDoublings: 7 })).toBe(3200);
    expect(backoffDelay(3, { baseMs: 25, maxMs: 5000, maxDoublings: 7 })).toBe(200);
  });

  it('treats a negative or fractional count as what was meant: no failure, whole failures', () => {
    expect(backoffDelay(-1, { baseMs: 50, maxMs: 1000 })).toBe(50);
    expect(backoffDelay(2.7, { baseMs: 50, maxMs: 1000 })).toBe(200);
  });
});

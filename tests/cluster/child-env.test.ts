import { describe, expect, it } from 'vitest';
import { childEnv } from '../../src/cluster/child-env.js';

describe('the environment of the cluster’s own node processes', () => {
  it('caps the young generation after the NODE_OPTIONS the user set, and tames glibc malloc', () => {
    expect(childEnv({})).toEqual({ NODE_OPTIONS: '--max-semi-space-size=8', MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' });
    expect(childEnv({ NODE_OPTIONS: '--trace-warnings' }).NODE_OPTIONS).toBe('--trace-warnings --max-semi-space-size=8');
  });

  it('takes ECOM_NODE_OPTIONS instead of its own options and keeps malloc settings the user chose', () => {
    expect(childEnv({ ECOM_NODE_OPTIONS: '--max-old-space-size=256' }).NODE_OPTIONS).toBe('--max-old-space-size=256');
    expect(childEnv({ NODE_OPTIONS: '--trace-warnings', ECOM_NODE_OPTIONS: '' }).NODE_OPTIONS).toBe('--trace-warnings');
    expect(childEnv({ ECOM_NODE_OPTIONS: '' })).not.toHaveProperty('NODE_OPTIONS');
    expect(childEnv({ MALLOC_ARENA_MAX: '8' }).MALLOC_ARENA_MAX).toBe('8');
  });

  it('leaves its own NODE_OPTIONS out for the daemon (heap: false), keeping the user’s and the malloc settings', () => {
    expect(childEnv({}, { heap: false })).toEqual({ MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' });
    expect(childEnv({ NODE_OPTIONS: '--trace-warnings', ECOM_NODE_OPTIONS: '--max-old-space-size=256' }, { heap: false }).NODE_OPTIONS).toBe(
      '--trace-warnings',
    );
  });
});

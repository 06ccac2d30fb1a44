import { describe, expect, it } from 'vitest';
import { childEnv } from '../../src/cluster/child-env.js';

describe('the environment of the cluster’s own node processes', () => {
  it('adds no V8 flag of its own (the user’s NODE_OPTIONS stay) and tames glibc malloc', () => {
    expect(childEnv({})).toEqual({ MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' });
    expect(childEnv({ NODE_OPTIONS: '--trace-warnings' }).NODE_OPTIONS).toBe('--trace-warnings');
  });

  it('adds ECOM_NODE_OPTIONS after the user’s NODE_OPTIONS and keeps malloc settings the user chose', () => {
    expect(childEnv({ ECOM_NODE_OPTIONS: '--max-old-space-size=256' }).NODE_OPTIONS).toBe('--max-old-space-size=256');
    expect(childEnv({ NODE_OPTIONS: '--trace-warnings', ECOM_NODE_OPTIONS: '' }).NODE_OPTIONS).toBe('--trace-warnings');
    expect(childEnv({ ECOM_NODE_OPTIONS: '' })).not.toHaveProperty('NODE_OPTIONS');
    expect(childEnv({ MALLOC_ARENA_MAX: '8' }).MALLOC_ARENA_MAX).toBe('8');
  });

  it('leaves ECOM_NODE_OPTIONS out for the daemon (ecomNodeOptions: false), keeping the user’s NODE_OPTIONS and the malloc settings', () => {
    expect(childEnv({}, { ecomNodeOptions: false })).toEqual({ MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' });
    expect(childEnv({ NODE_OPTIONS: '--trace-warnings', ECOM_NODE_OPTIONS: '--max-old-space-size=256' }, { ecomNodeOptions: false }).NODE_OPTIONS).toBe(
      '--trace-warnings',
    );
  });
});

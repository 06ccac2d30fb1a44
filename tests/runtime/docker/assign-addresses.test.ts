import { describe, expect, it } from 'vitest';
import { addressPool } from '../../../src/runtime/docker/assign-addresses.js';

describe('addressPool', () => {
  it('hands out the host addresses after the gateway in turn, never a held one, and a released one only after the rest', () => {
    const pool = addressPool('198.18.7.0/29');
    expect([pool.take(), pool.take(), pool.take()]).toEqual(['198.18.7.2', '198.18.7.3', '198.18.7.4']);
    pool.release('198.18.7.3');
    // .3 is free again but comes back only after .5 and .6 (the broadcast address .7 is never handed out).
    expect([pool.take(), pool.take(), pool.take()]).toEqual(['198.18.7.5', '198.18.7.6', '198.18.7.3']);
    expect(pool.take()).toBeUndefined();
    pool.release('198.18.7.5');
    expect(pool.take()).toBe('198.18.7.5');
  });

  it('takes the subnet from any address inside it', () => {
    expect(addressPool('198.18.128.77/24').take()).toBe('198.18.128.2');
  });
});

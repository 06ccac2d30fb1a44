import { describe, expect, it } from 'vitest';
import { localAddressToward } from '../../src/common/local-address.js';

describe('localAddressToward (the address a container registers)', () => {
  it('is the local address of the route to the host', async () => {
    expect(await localAddressToward('127.0.0.1', 9)).toBe('127.0.0.1');
  });

  it('never answers the wildcard for a name that does not resolve: it retries, then rejects', async () => {
    const started = Date.now();
    await expect(localAddressToward('no-such-host.invalid', 9, { retryMs: 50, timeoutMs: 300 })).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});

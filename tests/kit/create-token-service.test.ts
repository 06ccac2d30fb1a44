import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTokenService } from '../../src/kit/create-token-service.js';

const SECRET = 'secret-for-tests-secret-for-tests-secret';
const refusedWith = (code: string) => expect.objectContaining({ status: 401, code });

describe('createTokenService', () => {
  afterEach(() => vi.useRealTimers());

  it('verifies what it signed, again and again (the second time from its cache), with the same claims', async () => {
    const tokens = createTokenService(SECRET);
    const token = await tokens.sign({ userId: 7, role: 'customer' });
    expect(await tokens.verify(token)).toEqual({ userId: 7, role: 'customer' });
    expect(await tokens.verify(token)).toEqual({ userId: 7, role: 'customer' });
  });

  it('refuses a token changed in any part after it was verified, another secret, and alg none', async () => {
    const tokens = createTokenService(SECRET);
    const token = await tokens.sign({ userId: 7, role: 'customer' });
    await tokens.verify(token);
    const [head, body, sig] = token.split('.') as [string, string, string];
    const admin = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), role: 'admin' })).toString('base64url');
    await expect(tokens.verify(`${head}.${admin}.${sig}`)).rejects.toEqual(refusedWith('invalid_token'));
    await expect(tokens.verify(`${token.slice(0, -2)}xx`)).rejects.toEqual(refusedWith('invalid_token'));
    await expect(createTokenService(`${SECRET}-other`).verify(token)).rejects.toEqual(refusedWith('invalid_token'));
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await expect(tokens.verify(`${none}.${body}.`)).rejects.toEqual(refusedWith('invalid_token'));
  });

  it('refuses a token once it expired, even one it verified before', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const tokens = createTokenService(SECRET);
    const token = await tokens.sign({ userId: 3, role: 'admin' });
    expect(await tokens.verify(token)).toEqual({ userId: 3, role: 'admin' });
    vi.setSystemTime(new Date('2026-01-01T01:00:01Z'));
    await expect(tokens.verify(token)).rejects.toEqual(refusedWith('token_expired'));
  });
});

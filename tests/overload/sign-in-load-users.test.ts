import { describe, expect, it } from 'vitest';
import type { SetupCall } from '../../src/overload/build-scenario.js';
import { loadUserAccount, signInLoadUsers } from '../../src/overload/sign-in-load-users.js';

describe('signInLoadUsers', () => {
  it('reuses accounts that exist, registers the missing ones, bounded to `parallel` sign-ins at once, with progress', async () => {
    const existing = new Set([loadUserAccount(1).email, loadUserAccount(3).email]);
    const registered: string[] = [];
    let inFlight = 0;
    let most = 0;
    const call: SetupCall = async (_method, path, body) => {
      const { email } = body as { email: string };
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      if (path === '/api/users/register') {
        registered.push(email);
        existing.add(email);
        return { status: 201, body: {} };
      }
      return existing.has(email) ? { status: 200, body: { token: `token-${email}` } } : { status: 401, body: {} };
    };
    const progress: string[] = [];
    const tokens = await signInLoadUsers(call, { count: 5, parallel: 2, onProgress: (line) => progress.push(line) });
    expect(tokens).toEqual([1, 2, 3, 4, 5].map((n) => `token-${loadUserAccount(n).email}`));
    expect(registered.sort()).toEqual([2, 4, 5].map((n) => loadUserAccount(n).email).sort());
    expect(most).toBeLessThanOrEqual(2);
    expect(progress.at(-1)).toBe('signed in 5/5 load users');
  });

  it('names the account, the call and its answer when a sign-in fails', async () => {
    const call: SetupCall = async (_method, path) => (path === '/api/users/login' ? { status: 429, body: {} } : { status: 201, body: {} });
    await expect(signInLoadUsers(call, { count: 3, parallel: 1 })).rejects.toMatchObject({
      code: 'scenario_setup_failed',
      message: `signing in load user ${loadUserAccount(1).email}: POST /api/users/login answered 429`,
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FREE_LOGIN_ATTEMPTS, MAX_LOGIN_LOCK_MS, loginLockMs } from '../../../src/services/user/login-backoff.js';
import { request } from '../../helpers/api-client.js';
import { startTestCluster, type TestCluster } from '../../helpers/start-test-cluster.js';

describe('login backoff policy', () => {
  it('lets the first attempts through, then locks for 1 s doubling up to the cap', () => {
    expect(loginLockMs(1)).toBe(0);
    expect(loginLockMs(FREE_LOGIN_ATTEMPTS)).toBe(0);
    expect(loginLockMs(FREE_LOGIN_ATTEMPTS + 1)).toBe(1000);
    expect(loginLockMs(FREE_LOGIN_ATTEMPTS + 2)).toBe(2000);
    expect(loginLockMs(FREE_LOGIN_ATTEMPTS + 5)).toBe(16_000);
    expect(loginLockMs(FREE_LOGIN_ATTEMPTS + 60)).toBe(MAX_LOGIN_LOCK_MS);
  });
});

describe('the user service guards each account, with or without the gateway in front', () => {
  let cluster: TestCluster;
  let url: string;
  beforeAll(async () => {
    cluster = await startTestCluster({ logger: 1, user: 1 });
    url = cluster.url('user');
  });
  afterAll(async () => {
    await cluster?.close();
  });

  const register = async (email: string): Promise<void> => {
    const res = await request(url, 'POST', '/api/users/register', { body: { email, password: 'right-password', name: 'Guarded' } });
    expect(res.status).toBe(201);
  };
  const login = (email: string, password: string, path = '/api/users/login') => request(url, 'POST', path, { body: { email, password } });

  it('routes only the exact path: another case or a trailing slash is not login', async () => {
    await register('exact@example.com');
    for (const path of ['/api/users/LOGIN', '/api/users/login/', '/api/users/Login']) {
      const res = await login('exact@example.com', 'right-password', path);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('route_not_found');
    }
    expect((await request(url, 'POST', '/api/users/register/', { body: {} })).status).toBe(404);
    expect((await login('exact@example.com', 'right-password')).status).toBe(200);
  });

  it('locks an account after repeated failures, even for the right password, and a success resets the count', async () => {
    await register('locked@example.com');
    // The free attempts, then one more that is still checked but makes the next one wait a second.
    for (let i = 0; i <= FREE_LOGIN_ATTEMPTS; i++) expect((await login('locked@example.com', `wrong-${i}`)).status).toBe(401);
    const refused = await login('locked@example.com', 'wrong-again');
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('too_many_attempts');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await login('locked@example.com', 'right-password')).status).toBe(429);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await login('locked@example.com', 'right-password')).status).toBe(200);
    expect((await login('locked@example.com', 'wrong-after-reset')).status).toBe(401);
  });

  it('counts parallel guesses before checking them: a burst gets only the free attempts and one more checked', async () => {
    await register('burst@example.com');
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => login('burst@example.com', `guess-${i}`).then((r) => r.status)));
    // The 11th locks the account for 1 s, then 2 s, 4 s...: on a slow machine a lock may run out within the burst and
    // let one or two more guesses be checked, never the 40.
    const checked = statuses.filter((s) => s === 401).length;
    expect(checked).toBeGreaterThanOrEqual(FREE_LOGIN_ATTEMPTS + 1);
    expect(checked).toBeLessThanOrEqual(FREE_LOGIN_ATTEMPTS + 3);
    expect(statuses.filter((s) => s === 429).length).toBe(40 - checked);
  });

  it('leaves other accounts alone', async () => {
    await register('neighbour@example.com');
    expect((await login('neighbour@example.com', 'right-password')).status).toBe(200);
  });
});

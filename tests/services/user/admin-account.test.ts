import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/free-port.js';
import { ECOM_BIN } from '../../helpers/run-ecom-cli.js';
import { startProcess } from '../../helpers/start-process.js';
import { useServiceProcess } from '../../helpers/use-service-process.js';
import { startRedis } from '../../helpers/start-redis.js';

const run = useServiceProcess();

/** Starts one user instance of a fresh cluster and resolves as soon as its /health answers (polled every ms). */
async function startFreshUser(): Promise<{ url: string; admin: { email: string; password: string } }> {
  const redis = (run.redis = await startRedis());
  const dir = (run.dir = mkdtempSync(join(tmpdir(), 'ecom-admin-')));
  const port = await freePort();
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ stateDir: 'state', redis: { port: redis.port }, services: { logger: { instances: [] } } }));
  const p = (run.proc = startProcess(process.execPath, [
    ECOM_BIN,
    'service',
    'start',
    'user',
    '--id',
    '1',
    '--port',
    String(port),
    '--iscs',
    'none',
    '-c',
    configPath,
  ]));
  const url = `http://127.0.0.1:${port}`;
  for (const started = Date.now(); ; await new Promise((r) => setTimeout(r, 1))) {
    if (p.child.exitCode !== null) throw new Error(`user-1 exited: ${p.output()}`);
    if (Date.now() - started > 20_000) throw new Error(`user-1 did not answer within 20 s: ${p.output()}`);
    if ((await fetch(`${url}/health`).catch(() => undefined))?.status === 200) break;
  }
  const { admin } = JSON.parse(readFileSync(join(dir, 'state/credentials.json'), 'utf8')) as { admin: { email: string; password: string } };
  return { url, admin };
}

const post = async (url: string, path: string, body: unknown): Promise<{ status: number; body: { user?: { role: string } } }> => {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { user?: { role: string } } };
};

describe("a fresh cluster's admin account (hashed while the user service starts to serve)", () => {
  it('signs in with the first request the instance answers, and its email cannot be registered', async () => {
    const { url, admin } = await startFreshUser();
    const [login, taken] = await Promise.all([
      post(url, '/api/users/login', admin),
      post(url, '/api/users/register', { email: admin.email, password: 'another-password', name: 'Mallory' }),
    ]);
    expect(login.status).toBe(200);
    expect(login.body.user?.role).toBe('admin');
    expect(taken.status).toBe(409);
  });
});

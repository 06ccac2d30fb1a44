import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/api-client.js';
import { ecom } from '../helpers/run-ecom-cli.js';
import { writeClusterFile, type TestClusterFile } from '../helpers/write-cluster-file.js';

/** Every path under `dir` (itself included) whose mode lets group or other in, with its mode. */
function openToOthers(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) found.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return found;
}

describe('the state dir is private (the built binary, under the default umask)', () => {
  let c: TestClusterFile;
  beforeAll(async () => {
    c = await writeClusterFile({ product: 1, user: 1, logger: 1, order: 1 });
    // What an older ecom left: a world-readable state dir and log.
    mkdirSync(join(c.stateDir, 'logs'), { recursive: true, mode: 0o755 });
    chmodSync(c.stateDir, 0o755);
    writeFileSync(join(c.stateDir, 'logs', 'old.log'), 'old\n', { mode: 0o644 });
    chmodSync(join(c.stateDir, 'logs', 'old.log'), 0o644);
  });
  afterAll(async () => {
    await ecom('down', '-c', c.file).catch(() => undefined);
    rmSync(c.dir, { recursive: true, force: true });
  });

  it('leaves nothing readable by group or other after ecom up -d and traffic, and nginx and redis still work', async () => {
    await ecom('up', '-d', '-c', c.file);
    const gw = `http://127.0.0.1:${c.gatewayPort}`;
    const { admin } = JSON.parse(readFileSync(join(c.stateDir, 'credentials.json'), 'utf8'));
    const login = await request(gw, 'POST', '/api/users/login', { body: admin });
    expect(login.status).toBe(200);
    const product = await request(gw, 'POST', '/api/products', { token: login.body.token, body: { name: 'Private', price: 100, stock: 2 } });
    expect(product.status).toBe(201);
    // The product change went through Redis (an event in a stream): its append-only file exists and is private.
    await ecom('status', '-c', c.file);
    expect(existsSync(join(c.stateDir, 'redis'))).toBe(true);
    expect(readdirSync(join(c.stateDir, 'redis')).length).toBeGreaterThan(0);
    expect(existsSync(join(c.stateDir, 'data', 'product.db-wal'))).toBe(true);
    expect(existsSync(join(c.stateDir, 'nginx', 'access.log'))).toBe(true);
    expect(existsSync(join(c.stateDir, 'ecom.sock'))).toBe(true);
    expect((lstatSync(c.stateDir).mode & 0o777).toString(8)).toBe('700');
    expect((lstatSync(join(c.stateDir, 'ecom.sock')).mode & 0o777).toString(8)).toBe('600');
    expect(openToOthers(c.stateDir)).toEqual([]);
    const down = await ecom('down', '-c', c.file);
    expect(down.stdout).toMatch(/stopped \d+ processes/);
    expect(openToOthers(c.stateDir)).toEqual([]);
  });
});

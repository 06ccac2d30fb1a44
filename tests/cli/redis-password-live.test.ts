import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisSpec } from '../../src/cluster/process-specs.js';
import { loadClusterFile } from '../../src/config/load-cluster-file.js';
import { request } from '../helpers/api-client.js';
import { ecom } from '../helpers/run-ecom-cli.js';
import { waitFor } from '../helpers/wait-for.js';
import { writeClusterFile, type TestClusterFile } from '../helpers/write-cluster-file.js';

/** Every process's command line (and environment, where this user may read it), NUL separators made spaces. */
function allProcesses(): Array<{ pid: number; cmdline: string; environ: string }> {
  const read = (file: string): string => {
    try {
      return readFileSync(file, 'utf8').replaceAll('\0', ' ');
    } catch {
      return ''; // another user's, or the process ended while we looked
    }
  };
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => ({ pid: Number(entry), cmdline: read(`/proc/${entry}/cmdline`), environ: read(`/proc/${entry}/environ`) }));
}

const client = (port: number, password?: string): Redis => {
  const redis = new Redis({
    port,
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...(password ? { username: 'default', password } : {}),
  });
  redis.on('error', () => undefined);
  return redis;
};

describe("a live cluster's redis-server requires the cluster's password (the built binary)", () => {
  let c: TestClusterFile;
  let gw: string;
  let password: string;
  beforeAll(async () => {
    c = await writeClusterFile({ product: 1, user: 1, logger: 1, order: 1 });
    gw = `http://127.0.0.1:${c.gatewayPort}`;
    await ecom('up', '-d', '-c', c.file);
    password = JSON.parse(readFileSync(join(c.stateDir, 'credentials.json'), 'utf8')).redisPassword;
  });
  afterAll(async () => {
    await ecom('down', '-c', c.file).catch(() => undefined);
    rmSync(c.dir, { recursive: true, force: true });
  });

  it('refuses a client without the password (NOAUTH), so no one can forge an event or read the stream', async () => {
    expect(password).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    const stranger = client(c.redisPort);
    try {
      await stranger.connect();
      await expect(stranger.ping()).rejects.toThrow(/NOAUTH/);
      await expect(stranger.xadd('ecom:events', '*', 'type', 'PROFILE_UPDATED')).rejects.toThrow(/NOAUTH/);
      await expect(stranger.xrevrange('ecom:events', '+', '-', 'COUNT', 1)).rejects.toThrow(/NOAUTH/);
      await expect(stranger.auth('default', 'not-the-password')).rejects.toThrow(/WRONGPASS/);
    } finally {
      stranger.disconnect();
    }
    const member = client(c.redisPort, password);
    try {
      await member.connect();
      expect(await member.ping()).toBe('PONG');
    } finally {
      member.disconnect();
    }
  });

  it('keeps the password off every command line and in files only its owner can read', () => {
    const processes = allProcesses();
    // redis-server retitles itself once started, so its arguments are checked where they are made, too.
    expect(processes.some((p) => p.cmdline.startsWith(`redis-server 127.0.0.1:${c.redisPort}`))).toBe(true);
    const args = redisSpec(loadClusterFile(c.file)).args;
    expect(args[0]).toBe(join(c.stateDir, 'redis', 'redis.conf'));
    expect(args.filter((a) => a.includes(password))).toEqual([]);
    expect(processes.filter((p) => p.cmdline.includes(password) || p.environ.includes(password)).map((p) => `${p.pid}: ${p.cmdline}`)).toEqual([]);
    expect(statSync(join(c.stateDir, 'redis', 'redis.conf')).mode & 0o777).toBe(0o600);
    expect(statSync(join(c.stateDir, 'credentials.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(c.stateDir, 'redis', 'redis.conf'), 'utf8')).toContain(`requirepass ${password}`);
  });

  it('still serves: an order is placed through the gateway and a profile change reaches the order service', async () => {
    const credentials = JSON.parse(readFileSync(join(c.stateDir, 'credentials.json'), 'utf8'));
    const admin = (await request(gw, 'POST', '/api/users/login', { body: credentials.admin })).body.token as string;
    const product = await request(gw, 'POST', '/api/products', { token: admin, body: { name: 'Locked', price: 500, stock: 10 } });
    expect(product.status).toBe(201);
    const email = `ann${Date.now()}@example.com`;
    const reg = await request(gw, 'POST', '/api/users/register', {
      body: { email, password: 'password123', name: 'Ann', address: 'Old Road 1', phone: '555-0100' },
    });
    expect(reg.status).toBe(201);
    const token = (await request(gw, 'POST', '/api/users/login', { body: { email, password: 'password123' } })).body.token as string;
    const placed = await request(gw, 'POST', '/api/orders', {
      token,
      headers: { 'idempotency-key': `k-${Date.now()}` },
      body: { items: [{ productId: product.body.product.id, quantity: 2 }] },
    });
    expect(placed.status).toBe(201);
    expect((await request(gw, 'PATCH', '/api/users/me', { token, body: { address: 'New Avenue 3' } })).status).toBe(200);
    await waitFor('the PROFILE_UPDATED event applied by the order service', async () => {
      const order = await request(gw, 'GET', `/api/orders/${placed.body.order.id}`, { token });
      return order.body.order.shipping.address === 'New Avenue 3';
    });
    const events = JSON.parse((await ecom('events', '--json', '-c', c.file)).stdout);
    expect(events.recent.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['USER_REGISTERED', 'ORDER_PLACED', 'PROFILE_UPDATED']));
    expect(events.deadLetters).toBe(0);
  });
});

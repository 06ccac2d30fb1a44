import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive as alive } from '../../src/runtime/is-process-alive.js';
import { request } from '../helpers/api-client.js';
import { ecom } from '../helpers/run-ecom-cli.js';
import { writeClusterFile, type TestClusterFile } from '../helpers/write-cluster-file.js';

const accepting = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

describe('ecom up -d → gateway → ecom down (the built binary)', () => {
  let cluster: TestClusterFile;
  let pids: number[] = [];
  beforeAll(async () => {
    cluster = await writeClusterFile();
  });
  afterAll(async () => {
    await ecom('down', '-c', cluster.file).catch(() => undefined);
    rmSync(cluster.dir, { recursive: true, force: true });
  });

  it('starts every process, serves register/login/order through nginx, and stops everything', async () => {
    const up = await ecom('up', '-d', '-c', cluster.file);
    expect(up.stdout).toContain(`gateway http://127.0.0.1:${cluster.gatewayPort}`);

    const status = JSON.parse((await ecom('status', '--json', '-c', cluster.file)).stdout) as {
      processes: Array<{ service: string; pid: number; port: number; health: string }>;
    };
    const services = status.processes.map((p) => p.service).sort();
    expect(services).toEqual(['iscs', 'logger', 'nginx', 'order', 'product', 'product', 'redis', 'user']);
    for (const p of status.processes) expect(p.health, `${p.service} health`).toBe('healthy');
    pids = status.processes.map((p) => p.pid);
    expect(pids.every((pid) => alive(pid))).toBe(true);

    const gw = `http://127.0.0.1:${cluster.gatewayPort}`;
    const { admin } = JSON.parse(readFileSync(join(cluster.stateDir, 'credentials.json'), 'utf8'));
    const adminLogin = await request(gw, 'POST', '/api/users/login', { body: admin });
    expect(adminLogin.status).toBe(200);
    const product = await request(gw, 'POST', '/api/products', {
      token: adminLogin.body.token,
      body: { name: 'Smoke', price: 250, stock: 3 },
    });
    expect(product.status).toBe(201);
    const reg = await request(gw, 'POST', '/api/users/register', {
      body: { email: 'smoke@example.com', password: 'password123', name: 'Smoke', address: '1 Way' },
    });
    expect(reg.status).toBe(201);
    expect(reg.headers.get('x-instance-id')).toBe('user-2');
    const login = await request(gw, 'POST', '/api/users/login', { body: { email: 'smoke@example.com', password: 'password123' } });
    expect(login.status).toBe(200);
    const order = await request(gw, 'POST', '/api/orders', {
      token: login.body.token,
      body: { items: [{ productId: product.body.product.id, quantity: 2 }] },
    });
    expect(order.status).toBe(201);
    expect(order.body.order.total).toBe(500);
    expect(order.body.order.shipping.address).toBe('1 Way');
    const after = await request(gw, 'GET', `/api/products/${product.body.product.id}`, { headers: { authorization: 'Bearer x' } });
    expect(after.body.product.stock).toBe(1);

    const down = await ecom('down', '-c', cluster.file);
    expect(down.stdout).toMatch(/stopped \d+ processes/);
    for (const pid of pids) expect(alive(pid), `pid ${pid} still alive`).toBe(false);
    const ports = [cluster.gatewayPort, cluster.iscsPort, cluster.redisPort, ...Object.values(cluster.servicePorts).flat()];
    for (const port of ports) expect(await accepting(port), `port ${port} still accepting`).toBe(false);
    expect(existsSync(join(cluster.stateDir, 'ecom.sock'))).toBe(false);
    expect(readdirSync(join(cluster.stateDir, 'pids'))).toEqual([]);

    const again = await ecom('down', '-c', cluster.file);
    expect(again.stdout).toContain('nothing was running');
  });
});

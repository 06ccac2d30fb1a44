import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceKind } from '../../src/config/defaults.js';
import { request } from './api-client.js';
import { freePorts } from './free-port.js';
import { ECOM_BIN } from './run-ecom-cli.js';
import { startProcess, type TestProcess } from './start-process.js';
import { startRedis, type TestRedis } from './start-redis.js';
import { waitFor } from './wait-for.js';

export { ECOM_BIN } from './run-ecom-cli.js';

/** One running service instance of a test cluster. */
export interface TestInstance {
  kind: ServiceKind;
  id: number;
  port: number;
  url: string;
  proc: TestProcess;
}

/** Real redis-server plus real `ecom service start` processes sharing one temporary state dir. */
export interface TestCluster {
  dir: string;
  configPath: string;
  stateDir: string;
  redis: TestRedis;
  instances: TestInstance[];
  url(kind: ServiceKind, index?: number): string;
  /** Starts (or restarts) an instance of the cluster file by kind and index. */
  start(kind: ServiceKind, index: number): Promise<TestInstance>;
  credentials(): { admin: { email: string; password: string }; clusterToken: string };
  adminToken(): Promise<string>;
  /** Creates a product as the admin through product instance `index` (default 0) and returns its id. */
  createProduct(fields: { name: string; price: number; stock: number }, index?: number): Promise<number>;
  /** The stock of a product as product instance `index` (default 0) answers it. */
  stockOf(id: number, index?: number): Promise<number>;
  /** Registers a fresh customer and returns its id and token. */
  customer(fields?: Partial<{ name: string; address: string; phone: string }>): Promise<{ id: number; email: string; token: string }>;
  close(): Promise<void>;
}

/** Starts redis and the requested number of instances per kind (all instances are in the cluster file as peers). */
export async function startTestCluster(counts: Partial<Record<ServiceKind, number>>, options: { startAll?: boolean } = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'ecom-test-'));
  const redis = await startRedis();
  const kinds: ServiceKind[] = ['logger', 'user', 'product', 'order'];
  const total = kinds.reduce((n, k) => n + (counts[k] ?? 0), 0);
  const ports = await freePorts(total + 2);
  let nextId = 1;
  const services: Record<string, { instances: Array<{ id: number; port: number }> }> = {};
  for (const kind of kinds) {
    services[kind] = { instances: Array.from({ length: counts[kind] ?? 0 }, () => ({ id: nextId++, port: ports.pop()! })) };
  }
  const configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify(
      {
        stateDir: 'state',
        redis: { port: redis.port },
        gateway: { port: ports.pop() },
        iscs: { port: ports.pop() },
        services,
        logs: { flushMs: 50 },
      },
      null,
      2,
    ),
  );
  const stateDir = join(dir, 'state');
  const instances: TestInstance[] = [];
  let adminToken: string | undefined;

  const cluster: TestCluster = {
    dir,
    configPath,
    stateDir,
    redis,
    instances,
    url(kind, index = 0) {
      const inst = services[kind]!.instances[index];
      if (!inst) throw new Error(`no ${kind} #${index}`);
      return `http://127.0.0.1:${inst.port}`;
    },
    async start(kind, index) {
      const { id, port } = services[kind]!.instances[index]!;
      const proc = startProcess(process.execPath, [ECOM_BIN, 'service', 'start', kind, '--id', String(id), '--port', String(port), '-c', configPath], {
        logFile: join(dir, `${kind}-${id}.log`),
      });
      const url = `http://127.0.0.1:${port}`;
      try {
        await waitFor(`${kind}-${id} health`, async () => {
          if (proc.child.exitCode !== null) throw new Error(`${kind}-${id} exited: ${proc.output()}`);
          return (await fetch(`${url}/health`)).status === 200;
        });
      } catch (err) {
        // Not yet among the instances `close` stops.
        await proc.stop();
        throw err;
      }
      const instance = { kind, id, port, url, proc };
      const old = instances.findIndex((i) => i.kind === kind && i.id === id);
      if (old >= 0) instances.splice(old, 1, instance);
      else instances.push(instance);
      return instance;
    },
    credentials() {
      return JSON.parse(readFileSync(join(stateDir, 'credentials.json'), 'utf8'));
    },
    async adminToken() {
      if (adminToken) return adminToken;
      const { admin } = cluster.credentials();
      const res = await request(cluster.url('user'), 'POST', '/api/users/login', { body: admin });
      if (res.status !== 200) throw new Error(`admin login failed: ${res.status} ${res.text}`);
      adminToken = res.body.token as string;
      return adminToken;
    },
    async createProduct(fields, index = 0) {
      const res = await request(cluster.url('product', index), 'POST', '/api/products', {
        token: await cluster.adminToken(),
        body: fields,
      });
      if (res.status !== 201) throw new Error(`create product failed: ${res.status} ${res.text}`);
      return res.body.product.id as number;
    },
    async stockOf(id, index = 0) {
      const res = await request(cluster.url('product', index), 'GET', `/api/products/${id}`);
      if (res.status !== 200) throw new Error(`product ${id} on product #${index}: ${res.status} ${res.text}`);
      return res.body.product.stock as number;
    },
    async customer(fields = {}) {
      const email = `u${Date.now()}${Math.random().toString(36).slice(2, 8)}@example.com`;
      const password = 'password123';
      const reg = await request(cluster.url('user'), 'POST', '/api/users/register', {
        body: {
          email,
          password,
          name: fields.name ?? 'Test User',
          address: fields.address ?? '1 Test Street',
          phone: fields.phone ?? '555-0100',
        },
      });
      if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${reg.text}`);
      const login = await request(cluster.url('user'), 'POST', '/api/users/login', { body: { email, password } });
      return { id: reg.body.user.id as number, email, token: login.body.token as string };
    },
    async close() {
      await Promise.all(instances.map((i) => i.proc.stop()));
      await redis.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (options.startAll !== false) {
    try {
      for (const kind of kinds) {
        await Promise.all(services[kind]!.instances.map((_, i) => cluster.start(kind, i)));
      }
    } catch (err) {
      // The caller gets no handle to close: stop what did start (redis, the instances) and remove the dir here.
      await cluster.close().catch(() => undefined);
      throw err;
    }
  }
  return cluster;
}

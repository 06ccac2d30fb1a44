import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../../src/cluster/project-status.js';
import { ecom } from '../helpers/run-ecom-cli.js';
import { startGetLoop } from '../helpers/start-get-loop.js';
import { waitFor } from '../helpers/wait-for.js';
import { writeClusterFile, type TestClusterFile } from '../helpers/write-cluster-file.js';
import { workersOf } from '../helpers/read-nginx-workers.js';

describe('a cluster whose gateway has the Lua balancer (the built binary)', () => {
  let c: TestClusterFile;
  beforeAll(async () => {
    c = await writeClusterFile({ product: 2, user: 1, logger: 1, order: 1 });
    await ecom('up', '-d', '-c', c.file);
  });
  afterAll(async () => {
    await ecom('down', '-c', c.file).catch(() => undefined);
    rmSync(c.dir, { recursive: true, force: true });
  });

  const status = async (): Promise<ClusterStatus> => JSON.parse((await ecom('status', '--json', '-c', c.file)).stdout) as ClusterStatus;

  it('restarts product rolling and scales it up and down under GET load: no failed GET, no nginx reload, same workers', async () => {
    const before = await status();
    const nginx = before.processes.find((p) => p.service === 'nginx')!;
    const workers = workersOf(nginx.pid!);
    expect(workers.length).toBeGreaterThan(0);
    expect(before.proxySync).toMatchObject({ mode: 'lua', reloads: 0 });
    const load = startGetLoop(`http://127.0.0.1:${c.gatewayPort}/api/products`, { headers: { authorization: 'Bearer x' } });
    try {
      expect((await ecom('restart', 'product', '--rolling', '-c', c.file)).code).toBe(0);
      expect((await ecom('scale', 'product=3', '-c', c.file)).code).toBe(0);
      expect((await ecom('scale', 'product=1', '-c', c.file)).code).toBe(0);
      const { failures, reasons, total } = await load.stop();
      expect(reasons).toEqual([]);
      expect(failures).toBe(0);
      expect(total).toBeGreaterThan(20);
    } finally {
      await load.stop();
    }
    const after = await status();
    expect(after.processes.find((p) => p.service === 'nginx')!.pid).toBe(nginx.pid);
    expect(workersOf(nginx.pid!)).toEqual(workers);
    expect(after.proxySync).toMatchObject({ mode: 'lua', reloads: 0 });
    const products = after.processes.filter((p) => p.service === 'product');
    expect(products).toHaveLength(1);
    // The balancer's own figures: nginx counted no reload, and routes to exactly the one product instance left.
    const gateway = await waitFor('the figures of the one product instance left', async () => {
      const figures = (await status()).proxySync?.gateway;
      return figures?.peers.filter((p) => p.service === 'product').length === 1 ? figures : undefined;
    });
    expect(gateway.reloads).toBe(0);
    expect(gateway.peers.find((p) => p.service === 'product')!.id).toBe(products[0]!.id);
  });
});

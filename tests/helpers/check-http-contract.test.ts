import { rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHttpContract, contractTarget } from './check-http-contract.js';
import { runEcom } from './run-ecom-cli.js';
import { writeClusterFile, type TestClusterFile } from './write-cluster-file.js';

// The reference run of the HTTP contract checks: the process runtime (the docker runtime and the swarm stack run the
// same checks in tests/runtime/docker/docker-cluster.test.ts).
describe('the HTTP contract checks, against a cluster on the process runtime', () => {
  let cluster: TestClusterFile;
  beforeAll(async () => {
    cluster = await writeClusterFile();
    const up = await runEcom(['up', '-d', '-c', cluster.file], { timeoutMs: 120_000 });
    expect(up.code, up.stderr).toBe(0);
  }, 150_000);
  afterAll(async () => {
    if (cluster) await runEcom(['down', '-c', cluster.file]);
    if (cluster) rmSync(cluster.dir, { recursive: true, force: true });
  });

  it('auth, products, concurrent orders without oversell, idempotency replay, private orders and bad input all hold', async () => {
    const report = await checkHttpContract(contractTarget(cluster.stateDir, cluster.gatewayPort));
    expect(report.checks).toEqual(['auth', 'products', 'orders without oversell', 'idempotency key replay', 'orders are private', 'bad input']);
    expect(report).toMatchObject({ ordersPlaced: 5, ordersRefused: 7 });
  }, 60_000);

  it('fail against a server that breaks the contract (every request answered 201 `{}`: no user, no error shapes)', async () => {
    const server = createServer((_req, res) => res.writeHead(201, { 'content-type': 'application/json' }).end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      await expect(checkHttpContract({ baseUrl: `http://127.0.0.1:${port}`, admin: { email: 'a@b.c', password: 'x' } })).rejects.toThrow();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

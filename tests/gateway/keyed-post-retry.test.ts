import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../../src/config/cluster-schema.js';
import { loadClusterFile } from '../../src/config/load-cluster-file.js';
import { freePorts } from '../helpers/free-port.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';
import { at, ENDPOINT_MODES, serveTestGateway, type TestGateway } from './serve-test-gateway.js';

describe.each(ENDPOINT_MODES)('the gateway (%s) resends a POST carrying an Idempotency-Key to the next instance, and only such a POST', (endpoints) => {
  let dir: string;
  let cluster: ClusterConfig;
  let dying: HttpTarget;
  let healthy: HttpTarget;
  let nginx: TestGateway | undefined;
  let keyedSeenByDying: string[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-keyed-'));
    keyedSeenByDying = [];
    const [gateway] = await freePorts(1);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ stateDir: 'state', gateway: { port: gateway, balance: 'round_robin', endpoints } }));
    cluster = loadClusterFile(join(dir, 'config.json'), {});
    // An order instance that dies on every request it receives (as a SIGKILLed one would), and a healthy one.
    dying = await startHttpTarget((req) => {
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string') keyedSeenByDying.push(key);
      req.socket.destroy();
    });
    healthy = await startHttpTarget((_req, res) => {
      res.statusCode = 201;
      res.end('{"order":{}}');
    });
    const port = (t: HttpTarget): number => Number(new URL(t.origin).port);
    nginx = await serveTestGateway(cluster, { index: 1, services: { order: [at(1, port(dying)), at(2, port(healthy))] } });
  });
  afterEach(async () => {
    await nginx?.close();
    nginx = undefined;
    await Promise.all([dying.close(), healthy.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const post = async (key?: string): Promise<number> =>
    (
      await fetch(`http://127.0.0.1:${cluster.gateway.port}/api/orders?x=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
        body: '{"items":[]}',
      })
    ).status;

  it('a keyed POST that met the dying instance is answered by the other one', async () => {
    const keyed = [];
    for (let i = 0; i < 6; i++) keyed.push(await post(`key-${i}`));
    expect(keyed).toEqual(Array(6).fill(201));
    expect(keyedSeenByDying.length).toBeGreaterThan(0); // the resend path was taken, not just the healthy instance
  });

  it('a POST without a key is not resent: the client sees the failure', async () => {
    const unkeyed = [];
    for (let i = 0; i < 4; i++) unkeyed.push(await post());
    expect(unkeyed).toContain(502);
  });
});

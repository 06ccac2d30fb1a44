import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../../src/config/cluster-schema.js';
import { loadClusterFile } from '../../src/config/load-cluster-file.js';
import { freePorts } from '../helpers/free-port.js';
import { startHttpTarget, type HttpTarget } from '../helpers/start-http-target.js';
import { at, serveTestGateway, type TestGateway } from './serve-test-gateway.js';

describe('the gateway limits sign-in and sign-up however the path is spelled', () => {
  let dir: string;
  let cluster: ClusterConfig;
  let target: HttpTarget;
  let nginx: TestGateway | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-authlimit-'));
    const [gateway] = await freePorts(1);
    // One request a minute and a burst of 1: the third call from this client in a row must be refused.
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ stateDir: 'state', gateway: { port: gateway, loginRate: '1r/m', loginBurst: 1 } }));
    cluster = loadClusterFile(join(dir, 'config.json'), {});
    target = await startHttpTarget((_req, res) => res.end('{"ok":true}'));
    const port = Number(new URL(target.origin).port);
    nginx = await serveTestGateway(cluster, { index: 1, services: { user: [at(1, port)] } });
  });
  afterEach(async () => {
    await nginx?.close();
    nginx = undefined;
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = async (path: string): Promise<number> =>
    (
      await fetch(`http://127.0.0.1:${cluster.gateway.port}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
    ).status;

  it.each(['/api/users/login', '/api/users/LOGIN', '/api/users/login/', '/api/users/Login//', '/api/users/register', '/api/users/REGISTER/'])(
    '%s: three calls in a row, the third answered 429 by the gateway',
    async (path) => {
      const statuses = [await post(path), await post(path), await post(path)];
      expect(statuses).toEqual([200, 200, 429]);
      expect(target.seen()).toBe(2);
    },
  );

  it('leaves the other user routes alone', async () => {
    const statuses = await Promise.all(Array.from({ length: 6 }, () => post('/api/users/me')));
    expect(statuses).toEqual(Array(6).fill(200));
  });
});

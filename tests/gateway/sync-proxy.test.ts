import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../../src/config/cluster-schema.js';
import { loadClusterFile } from '../../src/config/load-cluster-file.js';
import { startNginx, type NginxHandle } from '../../src/cluster/start-nginx.js';
import { stateLayout } from '../../src/config/state-layout.js';
import type { RegistrySnapshot } from '../../src/registry/registry-state.js';
import { NGINX_TEMPLATE, compileNginxTemplate } from '../../src/gateway/render-nginx-config.js';
import { syncProxy, type ProxySync } from '../../src/gateway/sync-proxy.js';
import { createLogger } from '../../src/kit/create-logger.js';
import { freePorts } from '../helpers/free-port.js';
import { waitFor } from '../helpers/wait-for.js';

const nginxPaths = (stateDir: string) => stateLayout(stateDir).nginx;

const quiet = createLogger({
  service: 'test',
  instance: 'test',
  level: 'error',
  out: { write: () => true } as unknown as NodeJS.WritableStream,
});
const inst = (id: number, port: number) => ({ id, host: '127.0.0.1', port, registeredAt: '', lastHeartbeat: '' });

describe('proxy sync with a real nginx', () => {
  let dir: string;
  let cluster: ClusterConfig;
  let upstreams: Server[] = [];
  let upstreamPorts: number[] = [];
  let nginx: NginxHandle | undefined;
  let sync: ProxySync | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecom-sync-'));
    const [gateway, a, b] = await freePorts(3);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ stateDir: 'state', gateway: { port: gateway, endpoints: 'reload' } }));
    cluster = loadClusterFile(join(dir, 'config.json'), {});
    upstreamPorts = [a!, b!];
    upstreams = await Promise.all(
      upstreamPorts.map(
        (port, i) =>
          new Promise<Server>((resolve) => {
            const server = createServer((_req, res) => {
              res.setHeader('X-Instance-Id', `product-${i + 1}`);
              res.end('{"ok":true}');
            });
            server.listen(port, '127.0.0.1', () => resolve(server));
          }),
      ),
    );
  });
  afterEach(async () => {
    await sync?.close();
    await nginx?.close();
    await Promise.all(upstreams.map((s) => new Promise((r) => s.close(r))));
    rmSync(dir, { recursive: true, force: true });
    sync = undefined;
    nginx = undefined;
  });

  const gatewayGet = async (): Promise<number> =>
    (await fetch(`http://127.0.0.1:${cluster.gateway.port}/api/products/1`, { headers: { authorization: 'Bearer x' } })).status;

  it('keeps the last good config serving when a render fails nginx -t, and says why', async () => {
    const good = compileNginxTemplate();
    const brokenFile = join(dir, 'broken.conf.hbs');
    writeFileSync(brokenFile, readFileSync(NGINX_TEMPLATE, 'utf8').replaceAll('keepalive 64;', 'keepalive 64;\n    bogus_directive on;'));
    const broken = compileNginxTemplate(brokenFile);
    let useBroken = false;
    sync = syncProxy({ cluster, log: quiet, render: (c, s) => (useBroken ? broken : good)(c, s) });
    sync.update({ index: 1, services: { product: [inst(1, upstreamPorts[0]!)] } });
    await sync.flush();
    nginx = await startNginx(nginxPaths(cluster.stateDir));
    expect(await gatewayGet()).toBe(200);
    const installed = readFileSync(nginxPaths(cluster.stateDir).config, 'utf8');

    useBroken = true;
    sync.update({ index: 2, services: { product: [inst(1, upstreamPorts[0]!), inst(2, upstreamPorts[1]!)] } });
    await sync.flush();
    expect(sync.status().lastError?.message).toContain('bogus_directive');
    expect(sync.status().appliedIndex).toBe(1);
    expect(readFileSync(nginxPaths(cluster.stateDir).config, 'utf8')).toBe(installed);
    for (let i = 0; i < 10; i++) expect(await gatewayGet()).toBe(200);

    useBroken = false;
    sync.update({ index: 3, services: { product: [inst(1, upstreamPorts[0]!), inst(2, upstreamPorts[1]!)] } });
    await sync.flush();
    expect(sync.status().lastError).toBeUndefined();
    expect(sync.status().appliedIndex).toBe(3);
  });

  it('batches a burst of 20 changes within 100 ms into a handful of reloads with the final set applied', async () => {
    sync = syncProxy({ cluster, log: quiet, render: compileNginxTemplate(), minWaitMs: 50, maxWaitMs: 500 });
    sync.update({ index: 1, services: { product: [inst(1, upstreamPorts[0]!)] } });
    await sync.flush();
    nginx = await startNginx(nginxPaths(cluster.stateDir));
    const reloadsBefore = sync.status().reloads;
    let last: RegistrySnapshot = { index: 1, services: {} };
    for (let i = 0; i < 20; i++) {
      const ids = Array.from({ length: (i % 5) + 1 }, (_, k) => inst(10 + k, 20_000 + k));
      last = { index: 2 + i, services: { product: [inst(1, upstreamPorts[0]!), ...ids] } };
      sync.update(last);
      await new Promise((r) => setTimeout(r, 4));
    }
    await waitFor('the burst to be applied', () => sync!.status().appliedIndex === last.index, 5000);
    expect(sync.status().reloads - reloadsBefore).toBeGreaterThanOrEqual(1);
    expect(sync.status().reloads - reloadsBefore).toBeLessThanOrEqual(3);
    const config = readFileSync(nginxPaths(cluster.stateDir).config, 'utf8');
    const servers = [...config.matchAll(/server 127\.0\.0\.1:(\d+) max_fails/g)].map((m) => Number(m[1]));
    expect(servers.sort()).toEqual([upstreamPorts[0]!, ...last.services.product!.slice(1).map((s) => s.port)].sort());
    expect(await gatewayGet()).toBe(200);
  });

  it('keeps known instances routed for one TTL after the registry restarted empty', async () => {
    const fast = { ...cluster, iscs: { ...cluster.iscs, ttlMs: 150, heartbeatMs: 50 } };
    sync = syncProxy({ cluster: fast, log: quiet, render: compileNginxTemplate() });
    const servers = () =>
      [...readFileSync(nginxPaths(cluster.stateDir).config, 'utf8').matchAll(/server 127\.0\.0\.1:(\d+) max_fails/g)].map((m) => Number(m[1]));
    sync.update({ index: 9, services: { product: [inst(1, upstreamPorts[0]!), inst(2, upstreamPorts[1]!)] } });
    await sync.flush();
    expect(servers()).toHaveLength(2);
    sync.update({ index: 1, services: { product: [inst(1, upstreamPorts[0]!)] } });
    await sync.flush();
    expect(servers().sort()).toEqual([...upstreamPorts].sort());
    await waitFor(
      'the warm-up to end',
      async () => {
        await sync!.flush();
        return servers().length === 1;
      },
      3000,
    );
    expect(servers()).toEqual([upstreamPorts[0]]);
  });

  it('does not reload when the rendered text did not change', async () => {
    sync = syncProxy({ cluster, log: quiet, render: compileNginxTemplate() });
    const snapshot = { index: 1, services: { product: [inst(1, upstreamPorts[0]!)] } };
    sync.update(snapshot);
    await sync.flush();
    nginx = await startNginx(nginxPaths(cluster.stateDir));
    const renders = sync.status().renders;
    const reloads = sync.status().reloads;
    sync.update({ ...snapshot, services: { product: [{ ...snapshot.services.product[0]!, lastHeartbeat: 'later' }] } });
    await sync.flush();
    expect(sync.status().renders).toBe(renders + 1);
    expect(sync.status().reloads).toBe(reloads);
  });
});

import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/kit/create-logger.js';
import { prometheusTargets } from '../../src/registry/serve-targets-for-prometheus.js';
import { startIscsServer } from '../../src/registry/start-iscs-server.js';
import { useClosing } from '../helpers/use-closing.js';

const quiet = createLogger({ service: 'test', instance: 'test', level: 'error', out: { write: () => true } as unknown as NodeJS.WritableStream });
const credentials = { clusterToken: 'token-for-tests', jwtSecret: 'secret-for-tests-secret-for-tests-secret' };
const at = '2026-01-01T00:00:00.000Z';

describe("the registry's Prometheus service discovery", () => {
  const use = useClosing();

  it('lists every instance as its own target group with service, instance_id and instance labels, meta as __meta_iscs_*', () => {
    const groups = prometheusTargets({
      index: 3,
      services: {
        user: [{ id: 3, host: '127.0.0.1', port: 5003, registeredAt: at, lastHeartbeat: at }],
        product: [
          { id: 2, host: '::1', port: 5002, meta: { pid: '42', 'build.sha': 'abc' }, registeredAt: at, lastHeartbeat: at },
          { id: 1, host: '127.0.0.1', port: 5001, registeredAt: at, lastHeartbeat: at },
        ],
        order: [],
      },
    });
    expect(groups).toEqual([
      { targets: ['127.0.0.1:5001'], labels: { service: 'product', instance_id: '1', instance: 'product-1' } },
      {
        targets: ['[::1]:5002'],
        labels: { service: 'product', instance_id: '2', instance: 'product-2', __meta_iscs_pid: '42', __meta_iscs_build_sha: 'abc' },
      },
      { targets: ['127.0.0.1:5003'], labels: { service: 'user', instance_id: '3', instance: 'user-3' } },
    ]);
  });

  it('serves GET /v1/prometheus/targets to the cluster token only, following registrations and removals', async () => {
    const registry = use(await startIscsServer({ host: '127.0.0.1', port: 0, ttlMs: 60_000, credentials, log: quiet }));
    const url = `http://127.0.0.1:${registry.port}/v1/prometheus/targets`;
    const get = (token?: string) => fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

    const anonymous = await get();
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect((await get('not-the-token')).status).toBe(401);

    const empty = await get(credentials.clusterToken);
    expect(empty.status).toBe(200);
    expect(empty.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await empty.json()).toEqual([]);

    const auth = { authorization: `Bearer ${credentials.clusterToken}`, 'content-type': 'application/json' };
    for (const [service, id, port] of [
      ['product', 1, 5001],
      ['order', 5, 5005],
    ] as const) {
      const put = await fetch(`http://127.0.0.1:${registry.port}/v1/instances/${service}/${id}`, {
        method: 'PUT',
        headers: auth,
        body: JSON.stringify({ host: '127.0.0.1', port, meta: { pid: '7' } }),
      });
      expect(put.status).toBe(200);
    }
    expect(await (await get(credentials.clusterToken)).json()).toEqual([
      { targets: ['127.0.0.1:5005'], labels: { service: 'order', instance_id: '5', instance: 'order-5', __meta_iscs_pid: '7' } },
      { targets: ['127.0.0.1:5001'], labels: { service: 'product', instance_id: '1', instance: 'product-1', __meta_iscs_pid: '7' } },
    ]);

    await fetch(`http://127.0.0.1:${registry.port}/v1/instances/order/5`, { method: 'DELETE', headers: auth });
    expect(((await (await get(credentials.clusterToken)).json()) as Array<{ labels: { instance: string } }>).map((g) => g.labels.instance)).toEqual([
      'product-1',
    ]);
  });
});

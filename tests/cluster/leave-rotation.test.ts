import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mayLeaveRotation, registryRotation, type RotationPeer } from '../../src/cluster/leave-rotation.js';
import { createLogger } from '../../src/kit/create-logger.js';
import { registerInstance, type Registration } from '../../src/registry/register-instance.js';
import { startIscsServer, type IscsHandle } from '../../src/registry/start-iscs-server.js';
import type { InstanceSpec } from '../../src/runtime/runtime.js';
import { waitFor } from '../helpers/wait-for.js';

const quiet = createLogger({ service: 'test', instance: 'test', level: 'error', out: { write: () => true } as unknown as NodeJS.WritableStream });
const credentials = { admin: { email: 'admin@ecom.local', password: 'pw' }, clusterToken: 'token-for-tests', jwtSecret: 'secret-for-tests' };
const spec = (name: string, id?: number): InstanceSpec => ({
  name,
  service: name.replace(/-\d+$/, ''),
  id,
  command: 'x',
  args: [],
  logFile: '/dev/null',
  stopTimeoutMs: 1000,
});

describe('mayLeaveRotation', () => {
  it('lets an instance leave only when another instance of its kind is healthy', () => {
    const peers = (...h: RotationPeer['health'][]): RotationPeer[] => h.map((health, i) => ({ name: `product-${i + 1}`, health }));
    expect(mayLeaveRotation('product-1', peers('unhealthy', 'healthy'))).toBe(true);
    expect(mayLeaveRotation('product-1', peers('healthy', 'unhealthy', 'starting'))).toBe(false);
    expect(mayLeaveRotation('product-1', peers('healthy'))).toBe(false);
    expect(mayLeaveRotation('product-1', [])).toBe(false);
  });
});

describe('registryRotation against a real registry', () => {
  let registry: IscsHandle;
  let base: string;
  const registrations: Registration[] = [];
  let health: Record<string, RotationPeer['health']>;
  beforeEach(async () => {
    registry = await startIscsServer({ host: '127.0.0.1', port: 0, ttlMs: 60_000, credentials, log: quiet });
    base = `http://127.0.0.1:${registry.port}`;
    health = { 'product-1': 'healthy', 'product-2': 'healthy' };
  });
  afterEach(async () => {
    await Promise.all(registrations.splice(0).map((r) => r.close()));
    await registry.close();
  });
  const listing = async () => (await (await fetch(`${base}/v1/services`)).json()) as { index: number; services: Record<string, Array<{ id: number }>> };
  const listed = async (): Promise<number[]> => ((await listing()).services.product ?? []).map((i) => i.id);
  const rotation = () =>
    registryRotation({
      registryUrl: base,
      clusterToken: () => credentials.clusterToken,
      peers: () => Object.entries(health).map(([name, h]) => ({ name, health: h })),
      log: quiet,
    });
  const put = (id: number) =>
    fetch(`${base}/v1/instances/product/${id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${credentials.clusterToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ host: '127.0.0.1', port: 5000 + id }),
    });

  it('takes a failing instance out while another one is healthy, and keeps the last healthy one in', async () => {
    await put(1);
    await put(2);
    health['product-2'] = 'unhealthy';
    await rotation().leave(spec('product-2', 2));
    expect(await listed()).toEqual([1]);
    health['product-1'] = 'unhealthy';
    await rotation().leave(spec('product-1', 1));
    expect(await listed()).toEqual([1]);
    await rotation().remove(spec('product-1', 1));
    expect(await listed()).toEqual([]);
  });

  it('a removed instance that still heartbeats registers again by itself', async () => {
    const reg = registerInstance({
      registryUrl: base,
      clusterToken: credentials.clusterToken,
      service: 'product',
      id: 2,
      host: '127.0.0.1',
      port: 5002,
      heartbeatMs: 100,
      log: quiet,
    });
    registrations.push(reg);
    await reg.registered;
    const before = (await listing()).index;
    await rotation().remove(spec('product-2', 2));
    // Out (the index moved once) and in again (once more).
    await waitFor('registered again', async () => (await listing()).index >= before + 2 && (await listed()).includes(2), 3000);
  });

  it('never throws, and leaves processes without an id alone', async () => {
    await rotation().leave(spec('redis'));
    const down = registryRotation({ registryUrl: 'http://127.0.0.1:1', clusterToken: () => 'x', peers: () => [], log: quiet, timeoutMs: 200 });
    await expect(down.remove(spec('product-2', 2))).resolves.toBeUndefined();
  });
});

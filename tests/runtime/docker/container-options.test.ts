import { describe, expect, it } from 'vitest';
import { selfCommand } from '../../../src/common/locate-assets.js';
import { containerOptions, type ContainerContext } from '../../../src/runtime/docker/container-options.js';
import { containerNameOf } from '../../../src/runtime/docker/docker-names.js';
import type { InstanceSpec } from '../../../src/runtime/runtime.js';

const ctx: ContainerContext = {
  clusterId: 'abc',
  stateDir: '/srv/state',
  configPath: '/srv/missing-cluster.json',
  network: { name: 'ecom-abc', subnet: '198.18.3.0/24' },
  images: { app: 'ecom-app:1', nginx: 'ecom-nginx:1', redis: 'ecom-redis:1' },
  user: '1000:1000',
  limits: (service) => (service === 'product' ? { cpus: 0.5, memory: '256m' } : {}),
};
const spec = (over: Partial<InstanceSpec>): InstanceSpec => ({
  name: 'x',
  service: 'x',
  command: 'cmd',
  args: [],
  logFile: '/srv/state/logs/x.log',
  stopTimeoutMs: 5000,
  ...over,
});

describe('container options (the docker runtime’s mapping of an instance spec)', () => {
  it('a service instance: the app image running ecom with the same arguments, limits, port on 127.0.0.1 only, init, state dir at its own path', () => {
    const self = selfCommand(['service', 'start', 'product', '--id', '2', '--port', '5002']);
    const o = containerOptions(spec({ name: 'product-2', service: 'product', port: 5002, ...self, env: { ECOM_STATE_DIR: '/srv/state' } }), ctx);
    expect(o.name).toBe(containerNameOf('/srv/state', 'product-2'));
    expect(o.Image).toBe('ecom-app:1');
    expect(o.Cmd).toEqual(['/usr/local/bin/ecom', 'service', 'start', 'product', '--id', '2', '--port', '5002']);
    expect(o.Env).toEqual(expect.arrayContaining(['ECOM_STATE_DIR=/srv/state', 'ECOM_CONTAINER_ISCS_HOST=iscs', 'ECOM_CONTAINER_SUBNET=198.18.3.0/24']));
    expect(o.HostConfig).toMatchObject({ Init: true, NanoCpus: 500_000_000, Memory: 268_435_456, NetworkMode: 'ecom-abc', Binds: ['/srv/state:/srv/state'] });
    expect(o.HostConfig?.PortBindings).toEqual({ '5002/tcp': [{ HostIp: '127.0.0.1', HostPort: '5002' }] });
    expect(o.HostConfig?.PidMode).toBeUndefined();
    expect(o.NetworkingConfig?.EndpointsConfig?.['ecom-abc']?.Aliases).toEqual(['product-2']);
    expect(o.User).toBe('1000:1000');
    expect(o.HostConfig?.CgroupParent).toBeUndefined();
    // With the cgroupfs driver each container's cgroup goes under the root (see prepare-docker-runtime).
    expect(containerOptions(spec({ name: 'product-2', service: 'product', port: 5002 }), { ...ctx, cgroupParent: '/' }).HostConfig?.CgroupParent).toBe('/');
  });

  it('gives a CPU weight as CpuShares: the shares themselves on cgroup v1, on v2 the shares runc turns into that cpu.weight', () => {
    const weighted = (cpuWeight: number | undefined, cgroupVersion?: string) =>
      containerOptions(spec({ name: 'order-5', service: 'order', port: 5005, ...(cpuWeight === undefined ? {} : { cpuWeight }) }), {
        ...ctx,
        ...(cgroupVersion ? { cgroupVersion } : {}),
      }).HostConfig?.CpuShares;
    expect(weighted(930, '1')).toBe(9523);
    expect(weighted(100, '1')).toBeUndefined();
    expect(weighted(undefined, '2')).toBeUndefined();
    // runc up to 1.2: cpu.weight = 1 + (shares - 2) × 9999 / 262142, rounded down.
    const runcWeight = (shares: number): number => 1 + Math.floor(((shares - 2) * 9999) / 262_142);
    expect([930, 305, 50, 1].map((w) => runcWeight(weighted(w, '2')!))).toEqual([930, 305, 50, 1]);
  });

  it("shares the host's cache of code and addon with ecom's own containers only, at its own path", () => {
    const shared = { ...ctx, cacheDir: '/home/u/.cache/ecom' };
    const product = containerOptions(spec({ name: 'product-2', service: 'product', port: 5002 }), shared);
    expect(product.HostConfig?.Binds).toContain('/home/u/.cache/ecom:/home/u/.cache/ecom');
    expect(product.Env).toContain('XDG_CACHE_HOME=/home/u/.cache');
    const redis = containerOptions(spec({ name: 'redis', service: 'redis', port: 6390, command: 'redis-server', args: [] }), shared);
    expect(redis.HostConfig?.Binds).toEqual(['/srv/state:/srv/state']);
    expect(redis.Env?.some((e) => e.startsWith('XDG_CACHE_HOME='))).toBe(false);
  });

  it('redis binds every interface of its namespace; nginx keeps its stop signal and shares the host pid and network namespaces (no published port)', () => {
    const redis = containerOptions(
      spec({ name: 'redis', service: 'redis', port: 6390, command: 'redis-server', args: ['/c', '--bind', '127.0.0.1', '--port', '6390'] }),
      ctx,
    );
    expect(redis.Image).toBe('ecom-redis:1');
    expect(redis.Cmd).toEqual(['/usr/bin/redis-server', '/c', '--bind', '0.0.0.0', '--port', '6390']);
    const nginx = containerOptions(spec({ name: 'nginx', service: 'nginx', port: 8080, command: 'nginx', args: ['-p', '/p'], stopSignal: 'SIGQUIT' }), ctx);
    expect(nginx).toMatchObject({
      Image: 'ecom-nginx:1',
      Cmd: ['/usr/sbin/nginx', '-p', '/p'],
      StopSignal: 'SIGQUIT',
      HostConfig: { PidMode: 'host', NetworkMode: 'host' },
    });
    expect(nginx.HostConfig?.PortBindings).toBeUndefined();
    expect(nginx.NetworkingConfig).toBeUndefined();
    expect(nginx.Hostname).toBeUndefined();
    expect(nginx.HostConfig?.NanoCpus).toBeUndefined();
  });
});

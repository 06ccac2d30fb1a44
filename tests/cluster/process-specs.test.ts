import { describe, expect, it } from 'vitest';
import { clusterNginxSpec, serviceSpec } from '../../src/cluster/process-specs.js';
import { useClusterFiles } from '../helpers/use-cluster-files.js';

describe('a service instance’s and the gateway’s spec', () => {
  const loadFile = useClusterFiles('ecom-specs-');
  const load = (fields: object) => loadFile(fields).cluster;

  it('carries its kind’s CPU weight (the gateway’s, nginx): order, product and nginx above the rest by default, the cluster file’s when set', () => {
    const defaults = load({});
    expect(Object.fromEntries((['logger', 'user', 'product', 'order'] as const).map((kind) => [kind, serviceSpec(defaults, kind, 1, 5001).cpuWeight]))).toEqual(
      {
        logger: 100,
        user: 100,
        product: 305,
        order: 930,
      },
    );
    expect(clusterNginxSpec(defaults).cpuWeight).toBe(305);
    expect(clusterNginxSpec(load({ gateway: { cpuWeight: 100 } })).cpuWeight).toBe(100);
    const chosen = load({
      services: { order: { instances: [{ id: 5, port: 5005 }], cpuWeight: 100 }, logger: { instances: [{ id: 4, port: 5004 }], cpuWeight: 20 } },
    });
    expect(serviceSpec(chosen, 'order', 5, 5005).cpuWeight).toBe(100);
    expect(serviceSpec(chosen, 'logger', 4, 5004).cpuWeight).toBe(20);
  });

  it('refuses a CPU weight outside systemd’s 1–10000, naming the field', () => {
    expect(() => load({ services: { order: { instances: [{ id: 5, port: 5005 }], cpuWeight: 0 } } })).toThrow(/services\.order\.cpuWeight/);
  });
});

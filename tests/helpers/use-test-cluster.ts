import { afterAll, beforeAll } from 'vitest';
import type { ServiceKind } from '../../src/config/defaults.js';
import { startTestCluster, type TestCluster } from './start-test-cluster.js';

/**
 * A test cluster for the enclosing `describe`: started (with the admin logged in) before its tests, closed after
 * them. The returned handle stands for the running cluster; touching it outside a test or hook is an error.
 */
export function useTestCluster(counts: Partial<Record<ServiceKind, number>>): TestCluster {
  let running: TestCluster | undefined;
  beforeAll(async () => {
    running = await startTestCluster(counts);
    await running.adminToken();
  });
  afterAll(async () => {
    await running?.close();
    running = undefined;
  });
  return new Proxy({} as TestCluster, {
    get(_target, key) {
      if (!running) throw new Error(`the test cluster is not running (reading ${String(key)} outside a test)`);
      const value: unknown = Reflect.get(running, key);
      return typeof value === 'function' ? value.bind(running) : value;
    },
  });
}

import { describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../../src/cluster/project-status.js';
import { formatStatusTable, statusJson } from '../../src/cli/format-status.js';

const base: ClusterStatus = {
  phase: 'running',
  gateway: 'http://127.0.0.1:8080',
  stateDir: '/tmp/x',
  processes: [{ service: 'prometheus', id: null, pid: 42, port: 9190, health: 'healthy', restarts: 0, uptimeMs: 1000, state: 'running' }],
};

describe("ecom status and Prometheus' URL", () => {
  it('prints it in the title line and in --json when Prometheus runs', () => {
    const status = { ...base, prometheus: 'http://127.0.0.1:9190' };
    expect(formatStatusTable(status).split('\n')[0]).toBe('cluster running — gateway http://127.0.0.1:8080 — prometheus http://127.0.0.1:9190');
    expect(JSON.parse(statusJson(status))).toMatchObject({ gateway: 'http://127.0.0.1:8080', prometheus: 'http://127.0.0.1:9190' });
  });

  it('leaves both as they were when it does not', () => {
    const noProm = { ...base, processes: [] };
    expect(formatStatusTable(noProm).split('\n')[0]).toBe('cluster running — gateway http://127.0.0.1:8080');
    expect(Object.keys(JSON.parse(statusJson(noProm)) as object)).toEqual(['phase', 'gateway', 'processes']);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './free-port.js';

/** A cluster file in a fresh temp dir with every port free-port-picked (never the default ports). */
export interface TestClusterFile {
  dir: string;
  file: string;
  stateDir: string;
  gatewayPort: number;
  iscsPort: number;
  redisPort: number;
  servicePorts: Record<string, number[]>;
}

/** Writes a cluster file: `counts` instances per kind (ids 1..n across kinds), fast heartbeats for tests. */
export async function writeClusterFile(
  counts: Record<'product' | 'user' | 'logger' | 'order', number> = { product: 2, user: 1, logger: 1, order: 1 },
): Promise<TestClusterFile> {
  const dir = mkdtempSync(join(tmpdir(), 'ecom-cli-'));
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const ports = await freePorts(total + 3);
  const [gatewayPort, iscsPort, redisPort] = ports.splice(0, 3) as [number, number, number];
  let id = 1;
  const services: Record<string, { instances: Array<{ id: number; port: number }> }> = {};
  const servicePorts: Record<string, number[]> = {};
  for (const kind of ['logger', 'user', 'product', 'order'] as const) {
    const instances = Array.from({ length: counts[kind] }, () => ({ id: id++, port: ports.shift()! }));
    services[kind] = { instances };
    servicePorts[kind] = instances.map((i) => i.port);
  }
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify(
      {
        stateDir: 'state',
        gateway: { port: gatewayPort },
        iscs: { port: iscsPort, heartbeatMs: 500, ttlMs: 1500 },
        redis: { port: redisPort },
        services,
      },
      null,
      2,
    ),
  );
  return { dir, file, stateDir: join(dir, 'state'), gatewayPort, iscsPort, redisPort, servicePorts };
}

import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ClusterConfig } from '../config/cluster-schema.js';
import type { NginxPaths } from '../config/state-layout.js';

/** The file under the nginx prefix that remembers a picked admin port, so every later render and the CLI agree. */
export const adminPortFile = (paths: NginxPaths): string => join(paths.prefix, 'admin-port');

/** The admin port in force: the cluster file's, else the one remembered beside nginx.conf; undefined if none yet. */
export function adminPortOf(cluster: ClusterConfig, paths: NginxPaths): number | undefined {
  if (cluster.gateway.adminPort > 0) return cluster.gateway.adminPort;
  try {
    const port = Number(readFileSync(adminPortFile(paths), 'utf8').trim());
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  } catch {
    return undefined;
  }
}

function bindable(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host, exclusive: true }, () => {
      const bound = (server.address() as { port: number }).port;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * The admin port to render: the configured one; else the remembered one while nginx runs with it (or it is still
 * free); else a free port on 127.0.0.1, remembered for next time.
 */
export async function resolveAdminPort(cluster: ClusterConfig, paths: NginxPaths, nginxRuns: boolean): Promise<number> {
  const known = adminPortOf(cluster, paths);
  if (known !== undefined && (cluster.gateway.adminPort > 0 || nginxRuns || (await bindable('127.0.0.1', known)))) return known;
  const port = (await bindable('127.0.0.1', 0))!;
  writeFileSync(adminPortFile(paths), `${port}\n`);
  return port;
}

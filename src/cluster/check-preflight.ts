import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { SERVICE_KINDS } from '../config/defaults.js';
import { describePortHolder, isPortFree } from './check-ports.js';

/** One preflight finding; `fix` says exactly what to do when it failed. */
export interface PreflightCheck {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

const MIN_NODE = [20, 18, 1];

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** Every port a cluster file asks for, with who uses it. */
export function clusterPorts(cluster: ClusterConfig): Array<{ port: number; owner: string }> {
  return [
    { port: cluster.gateway.port, owner: 'gateway (nginx)' },
    { port: cluster.iscs.port, owner: 'registry (iscs)' },
    { port: cluster.redis.port, owner: 'redis-server' },
    ...SERVICE_KINDS.flatMap((kind) => cluster.services[kind].instances.map((i) => ({ port: i.port, owner: `${kind}-${i.id}` }))),
    ...(cluster.prometheus.enabled ? [{ port: cluster.prometheus.port, owner: 'prometheus' }] : []),
  ];
}

/**
 * What `ecom doctor` and `ecom up` check before starting anything: Node's version, nginx and redis-server on PATH,
 * every port free (naming who holds a taken one, when visible), and a writable state dir.
 */
export async function checkPreflight(cluster: ClusterConfig, options: { ports?: boolean } = {}): Promise<PreflightCheck[]> {
  const checks: PreflightCheck[] = [];
  const version = process.versions.node.split('.').map(Number);
  const nodeOk =
    version[0]! > MIN_NODE[0]! || (version[0] === MIN_NODE[0] && (version[1]! > MIN_NODE[1]! || (version[1] === MIN_NODE[1] && version[2]! >= MIN_NODE[2]!)));
  checks.push({
    name: 'node',
    ok: nodeOk,
    detail: `node ${process.versions.node}`,
    ...(nodeOk ? {} : { fix: `install Node.js ${MIN_NODE.join('.')} or newer` }),
  });
  const missing: string[] = [];
  for (const [binary, pkg] of [
    ['nginx', 'nginx'],
    ['redis-server', 'redis-server'],
    ...(cluster.prometheus.enabled ? [['prometheus', 'prometheus'] as const] : []),
  ] as const) {
    const path = onPath(binary);
    if (!path) missing.push(pkg);
    checks.push({
      name: binary,
      ok: path !== undefined,
      detail: path ?? 'not found on PATH',
      ...(path ? {} : { fix: `apt-get update && apt-get install -y ${pkg}  (or run: npm run setup)` }),
    });
  }
  if (options.ports !== false) {
    // All ports at once: one bind each, in the order the cluster file lists them.
    const ports = await Promise.all(
      clusterPorts(cluster).map(async ({ port, owner }): Promise<PreflightCheck> => {
        if (await isPortFree(cluster.host, port)) return { name: `port ${port}`, ok: true, detail: `free for ${owner}` };
        const holder = await describePortHolder(port);
        return {
          name: `port ${port}`,
          ok: false,
          detail: `port ${port} (${owner}) is taken${holder ? ` by ${holder}` : ''}`,
          fix: `stop what listens on ${port}, or choose another port for ${owner} in ${cluster.configPath}`,
        };
      }),
    );
    checks.push(...ports);
  }
  try {
    mkdirSync(cluster.stateDir, { recursive: true });
    accessSync(cluster.stateDir, constants.W_OK);
    checks.push({ name: 'state dir', ok: true, detail: `${cluster.stateDir} is writable` });
  } catch {
    checks.push({
      name: 'state dir',
      ok: false,
      detail: `${cluster.stateDir} is not writable`,
      fix: `make ${existsSync(cluster.stateDir) ? cluster.stateDir : 'its parent'} writable, or set stateDir in ${cluster.configPath}`,
    });
  }
  return checks;
}

import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../common/ecom-error.js';
import { clusterSchema, type ClusterConfig } from './cluster-schema.js';

const ENV_OVERRIDES: Array<[string, string[], 'string' | 'number']> = [
  ['ECOM_STATE_DIR', ['stateDir'], 'string'],
  ['ECOM_GATEWAY_PORT', ['gateway', 'port'], 'number'],
  ['ECOM_ISCS_PORT', ['iscs', 'port'], 'number'],
  ['ECOM_REDIS_PORT', ['redis', 'port'], 'number'],
  ['ECOM_RUNTIME', ['runtime'], 'string'],
];

/**
 * Inside a container the docker runtime sets these: the process binds every interface of its own network namespace,
 * reaches the registry and redis-server by name, and trusts peers on the cluster network only.
 */
function containerNetwork(env: NodeJS.ProcessEnv): ClusterConfig['container'] {
  const iscsHost = env.ECOM_CONTAINER_ISCS_HOST;
  const redisHost = env.ECOM_CONTAINER_REDIS_HOST;
  const peerSubnet = env.ECOM_CONTAINER_SUBNET;
  return iscsHost && redisHost && peerSubnet ? { iscsHost, redisHost, peerSubnet } : undefined;
}

/** Names the first problems of a failed validation: field path and what was expected. */
export function describeIssues(issues: z.core.$ZodIssue[], source: string): string {
  const parts = issues.slice(0, 3).map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : '(root)';
    return `${field}: ${issue.message}`;
  });
  const more = issues.length > 3 ? ` (+${issues.length - 3} more)` : '';
  return `${source}: ${parts.join('; ')}${more}`;
}

function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  for (const [name, path, type] of ENV_OVERRIDES) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    let node = raw;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      node[key] = typeof next === 'object' && next !== null ? next : {};
      node = node[key] as Record<string, unknown>;
    }
    node[path.at(-1)!] = type === 'number' ? Number(value) : value;
  }
}

/** Reads a cluster file (JSON, or YAML by extension or content), merges defaults and env overrides, validates it. */
export function loadClusterFile(path = 'config.json', env: NodeJS.ProcessEnv = process.env): ClusterConfig {
  const configPath = resolve(path);
  let raw: unknown = {};
  if (existsSync(configPath)) {
    const text = readFileSync(configPath, 'utf8');
    try {
      raw = ['.yaml', '.yml'].includes(extname(configPath)) ? parseYaml(text) : JSON.parse(text);
    } catch (cause) {
      throw new UsageError('invalid_cluster_file', `${path}: not valid ${extname(configPath) === '.json' ? 'JSON' : 'YAML'}`, {
        cause,
        hint: 'fix the syntax error, or remove the file to use the defaults',
      });
    }
    raw ??= {};
  } else if (path !== 'config.json') {
    throw new UsageError('cluster_file_missing', `${path}: no such file`, { hint: 'pass -c with an existing cluster file' });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UsageError('invalid_cluster_file', `${path}: (root): expected an object`);
  }
  const merged = structuredClone(raw) as Record<string, unknown>;
  applyEnv(merged, env);
  const container = containerNetwork(env);
  if (container) Object.assign(merged, { host: '0.0.0.0', exposeNonLoopback: true });
  // Parsed once per process: without zod's JIT, which would first generate and compile a parser for every object in
  // the schema (5 ms more of each process's start-up here, for one parse).
  const result = clusterSchema.safeParse(merged, { jitless: true });
  if (!result.success) {
    throw new UsageError('invalid_cluster_file', describeIssues(result.error.issues, path));
  }
  return { ...result.data, stateDir: resolve(dirname(configPath), result.data.stateDir), configPath, ...(container ? { container } : {}) };
}

// What every benchmark script shares: ports, waiting, percentiles, and a main() wrapper that always cleans up.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Resolves after `ms`. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A TCP port that was free a moment ago on 127.0.0.1. */
export const freePort = () =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** `n` distinct ports that were free a moment ago. */
export async function freePorts(n) {
  const ports = new Set();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/**
 * Writes a cluster file on free ports: `ids` lists each kind's instance ids. Returns the core ports and each
 * instance's port by id.
 */
export async function writeBenchCluster(file, ids) {
  const count = Object.values(ids).reduce((n, list) => n + list.length, 0);
  const [gateway, iscs, redis, ...rest] = await freePorts(3 + count);
  const portOf = {};
  const services = Object.fromEntries(
    Object.entries(ids).map(([kind, list]) => [kind, { instances: list.map((id) => ({ id, port: (portOf[id] = rest.shift()) })) }]),
  );
  writeFileSync(file, JSON.stringify({ stateDir: 'state', gateway: { port: gateway }, iscs: { port: iscs }, redis: { port: redis }, services }));
  return { gateway, iscs, redis, portOf };
}

/** Polls `check` (a throw counts as "not yet") until it returns something truthy, which it returns; fails after `timeoutMs`. */
export async function until(what, check, timeoutMs = 30_000, everyMs = 25) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve()
      .then(check)
      .catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The p-th percentile (nearest rank) of a list of numbers. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The median of a list of numbers. */
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Runs a benchmark's main(); `cleanup` runs on success, failure and Ctrl-C; a failure sets exit code 1. */
export function runBenchmark(main, cleanup = async () => undefined) {
  process.on('SIGINT', () => {
    Promise.resolve(cleanup()).finally(() => process.exit(130));
  });
  main()
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    })
    .finally(cleanup);
}

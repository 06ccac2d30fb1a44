// What every benchmark script shares: ports, waiting, percentiles, and a main() wrapper that always cleans up.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Resolves after `ms`. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const canBind = (port) =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });

/** Benches take ports from 24000-31999, below the kernel's ephemeral range (tests use 20000 and below). */
const BENCH_PORTS = { base: 24_000, size: 8000 };
let cursor = Math.floor(Math.random() * BENCH_PORTS.size);

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, below the ephemeral range: an outgoing connection (a client's
 * own port) can never take it before the server binds it — nor the ports `ecom scale` hands out just above it.
 */
export async function freePort() {
  for (let tries = 0; tries < BENCH_PORTS.size; tries++) {
    const port = BENCH_PORTS.base + (cursor++ % BENCH_PORTS.size);
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port in ${BENCH_PORTS.base}-${BENCH_PORTS.base + BENCH_PORTS.size - 1}`);
}

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

/**
 * Writes `dir`/nginx.conf for nginx `return 200` (a small JSON body) on 127.0.0.1:`port`: one worker, its own
 * prefix, pid and temp paths, keep-alive without limits — the reference target of the load-generator benches.
 */
export function writeReturn200Nginx(dir, port) {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;${process.getuid?.() === 0 ? ' user root;' : ''}
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; keepalive_timeout 60s;
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  server { listen 127.0.0.1:${port}; location / { default_type application/json; return 200 '{"hello":"world"}'; } } }
`,
  );
  return ['-p', dir, '-c', join(dir, 'nginx.conf')];
}

/** Starts nginx `return 200` (writeReturn200Nginx) on a free port, its stop pushed to `cleanups`; resolves with its URL once it answers. */
export async function startReturn200Nginx(dir, cleanups) {
  const port = await freePort();
  const nginx = spawn('nginx', writeReturn200Nginx(dir, port), { stdio: 'ignore', detached: true });
  cleanups.push(() => process.kill(-nginx.pid, 'SIGKILL'));
  const url = `http://127.0.0.1:${port}/`;
  await until(url, async () => (await fetch(url)).status === 200, 10_000);
  return url;
}

/** The median and range of a list of numbers. */
export const spread = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
/** A spread as `median (min–max)`. */
export const formatSpread = (s, digits = 0) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;

const toMs = (value, unit) => (unit === 'us' ? value / 1000 : unit === 's' ? value * 1000 : value);

/**
 * The figures of wrk's `--latency` output: requests, requests/s, p50 and p99 in ms (NaN when absent), non-2xx
 * answers, socket errors by kind, and `errors` (non-2xx plus every socket error).
 */
export function parseWrk(stdout) {
  const at = (p) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)\\b`).exec(stdout);
    return m ? toMs(Number(m[1]), m[2]) : NaN;
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const [connect = 0, read = 0, write = 0, timeout = 0] = (/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout) ?? [])
    .slice(1)
    .map(Number);
  return {
    requests: Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0),
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0),
    p50: at(50),
    p99: at(99),
    non2xx,
    socketErrors: { connect, read, write, timeout },
    errors: non2xx + connect + read + write + timeout,
  };
}

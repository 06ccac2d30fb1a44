// Benchmarks of the registry → nginx control plane, all in one run against a real `ecom up -d` cluster on free ports:
//  1. registration → first request routed to the new instance, p50/p99 over N trials (goal p99 ≤ 500 ms);
//  2. uncached product GET through the gateway (2 instances, Authorization bypasses the microcache) vs one instance
//     directly, same wrk settings (goal ≥ 1.3×, gateway p99 ≤ 20 ms);
//  3. cached product GET through the gateway vs nginx `return 200` on this machine (goal ≥ 0.55×).
// Not a test: prints figures and ratios, writes bench/results/gateway.json, never fails on a missed goal.
// Usage: npm run build && node bench/gateway.mjs [trials]
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, until, percentile, runBenchmark, writeBenchCluster } from './lib/bench-kit.mjs';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'dist/cli/main.js');
const trials = Number(process.argv[2] ?? 50);
const ecom = (...args) => run(process.execPath, [bin, ...args], { maxBuffer: 10 * 1024 * 1024 });
const cleanups = [];

/** wrk for `seconds` with `connections`, one thread; returns rps and latency percentiles (ms). */
async function wrk(url, { seconds = 8, connections = 32, headers = [] } = {}) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...headers.flatMap((h) => ['-H', h]), url];
  const { stdout } = await run('wrk', args, { maxBuffer: 1024 * 1024 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0);
  const lat = (p) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(stdout);
    if (!m) return null;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  return { rps, p50: lat(50), p99: lat(99), non2xx };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'ecom-bench-gw-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'config.json');
  const { gateway, iscs, portOf } = await writeBenchCluster(file, { product: [1, 2], user: [3], logger: [4], order: [5] });
  const p1 = portOf[1];
  const plain = await freePort();
  await ecom('up', '-d', '-c', file);
  cleanups.push(() => ecom('down', '-c', file).catch(() => undefined));
  await ecom('seed', '--products', '20', '--users', '0', '-c', file);
  const gw = `http://127.0.0.1:${gateway}`;

  // 1. registration → first routed request
  const delays = [];
  for (let i = 0; i < trials; i++) {
    const id = 100 + i;
    const port = await freePort();
    const child = spawn(process.execPath, [bin, 'service', 'start', 'product', '--id', String(id), '--port', String(port), '-c', file], {
      stdio: 'ignore',
    });
    const registeredAt = await until(`product-${id} to register`, async () => {
      const res = await fetch(`http://127.0.0.1:${iscs}/v1/services`)
        .then((r) => r.json())
        .catch(() => undefined);
      const inst = res?.services?.product?.find((p) => p.id === id);
      return inst ? performance.now() : undefined;
    });
    await until(`product-${id} to be routed`, async () => {
      const answers = await Promise.all(
        Array.from({ length: 4 }, () =>
          fetch(`${gw}/api/products/1`, { headers: { authorization: 'Bearer bench' } })
            .then((r) => r.headers.get('x-instance-id'))
            .catch(() => null),
        ),
      );
      return answers.includes(`product-${id}`);
    });
    delays.push(performance.now() - registeredAt);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  const routing = {
    trials,
    p50Ms: Math.round(percentile(delays, 50)),
    p99Ms: Math.round(percentile(delays, 99)),
    maxMs: Math.round(Math.max(...delays)),
  };
  console.log(
    `registration → first routed request over ${trials} trials: p50 ${routing.p50Ms} ms, p99 ${routing.p99Ms} ms, max ${routing.maxMs} ms (goal p99 ≤ 500 ms)`,
  );

  // 2. uncached GET: gateway (2 instances) vs one instance directly
  await wrk(`${gw}/api/products/1`, { seconds: 2, headers: ['Authorization: Bearer bench'] });
  const direct = await wrk(`http://127.0.0.1:${p1}/api/products/1`);
  const viaGateway = await wrk(`${gw}/api/products/1`, { headers: ['Authorization: Bearer bench'] });
  const uncachedRatio = viaGateway.rps / direct.rps;
  console.log(
    `uncached GET  direct product-1 ${direct.rps.toFixed(0)} rps (p99 ${direct.p99} ms) · gateway ×2 ${viaGateway.rps.toFixed(0)} rps (p99 ${viaGateway.p99} ms, non-2xx ${viaGateway.non2xx}) · ratio ${uncachedRatio.toFixed(2)} (goal ≥ 1.3, p99 ≤ 20 ms)`,
  );

  // 3. cached GET vs nginx return 200
  const prefix = join(dir, 'plain-nginx');
  mkdirSync(join(prefix, 'logs'), { recursive: true });
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `daemon off; worker_processes 1; pid ${prefix}/nginx.pid; error_log ${prefix}/error.log;${process.getuid?.() === 0 ? ' user root;' : ''}
events { worker_connections 4096; }
http { access_log off; client_body_temp_path ${prefix}/tmp; proxy_temp_path ${prefix}/tmp; fastcgi_temp_path ${prefix}/tmp; uwsgi_temp_path ${prefix}/tmp; scgi_temp_path ${prefix}/tmp;
  keepalive_requests 100000;
  server { listen 127.0.0.1:${plain}; location / { default_type application/json; return 200 '{"ok":true}'; } } }`,
  );
  const nginx = spawn('nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: 'ignore', detached: true });
  cleanups.push(() => {
    try {
      process.kill(-nginx.pid, 'SIGKILL');
    } catch {}
  });
  await until('plain nginx', async () => (await fetch(`http://127.0.0.1:${plain}/`).catch(() => undefined))?.status === 200);
  await wrk(`${gw}/api/products/1`, { seconds: 2 });
  const cached = await wrk(`${gw}/api/products/1`);
  const ret200 = await wrk(`http://127.0.0.1:${plain}/`);
  const cachedRatio = cached.rps / ret200.rps;
  console.log(
    `cached GET    gateway ${cached.rps.toFixed(0)} rps (p99 ${cached.p99} ms) · nginx return 200 ${ret200.rps.toFixed(0)} rps · ratio ${cachedRatio.toFixed(2)} (goal ≥ 0.55)`,
  );

  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(
    join(root, 'bench/results/gateway.json'),
    JSON.stringify(
      {
        routing,
        uncached: { direct, viaGateway, ratio: uncachedRatio },
        cached: { gateway: cached, nginxReturn200: ret200, ratio: cachedRatio },
      },
      null,
      2,
    ),
  );
}

runBenchmark(main, async () => {
  for (const c of cleanups.reverse()) await c();
});

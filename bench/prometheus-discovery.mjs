// How fast the supervised Prometheus follows the registry, against a real `ecom up -d` cluster with
// `prometheus.enabled` on free ports. Each trial starts one more product instance by hand (`ecom service start`) and
// measures, from the moment the registry lists it:
//  - Prometheus lists it as an `up` target (goal ≤ 2 s),
//  - nginx routes a request to it (the reference: the same registration through ecom's own control plane),
// then stops it (SIGTERM: it deregisters) and measures, from the moment the registry no longer lists it, until
// Prometheus drops the target (goal: within one refresh interval, 1 s).
// Not a test: prints figures and ratios, writes bench/results/prometheus-discovery.json, never fails on a missed goal.
// Usage: npm run build && node bench/prometheus-discovery.mjs [trials]
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, until, median, runBenchmark, writeBenchCluster } from './lib/bench-kit.mjs';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'dist/cli/main.js');
const trials = Number(process.argv[2] ?? 5);
const ecom = (...args) => run(process.execPath, [bin, ...args], { maxBuffer: 10 * 1024 * 1024 });
const cleanups = [];

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'ecom-bench-prom-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'config.json');
  const { gateway, iscs } = await writeBenchCluster(file, { product: [1], user: [2], logger: [3], order: [4] });
  const promPort = await freePort();
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), prometheus: { enabled: true, port: promPort } }));
  await ecom('up', '-d', '-c', file);
  cleanups.push(() => ecom('down', '-c', file).catch(() => undefined));
  await ecom('seed', '--products', '5', '--users', '0', '-c', file);
  const gw = `http://127.0.0.1:${gateway}`;
  const prom = `http://127.0.0.1:${promPort}`;
  const listed = async (id) => {
    const res = await fetch(`http://127.0.0.1:${iscs}/v1/services`).then((r) => r.json());
    return (res.services?.product ?? []).some((p) => p.id === id);
  };
  const target = async (instance) => {
    const res = await fetch(`${prom}/api/v1/targets?state=active`).then((r) => r.json());
    return res.data.activeTargets.find((t) => t.scrapePool === 'ecom' && t.labels.instance === instance);
  };

  const added = [];
  const routed = [];
  const dropped = [];
  for (let i = 0; i < trials; i++) {
    const id = 100 + i;
    const port = await freePort();
    const child = spawn(process.execPath, [bin, 'service', 'start', 'product', '--id', String(id), '--port', String(port), '-c', file], { stdio: 'ignore' });
    const registeredAt = await until(`product-${id} to register`, async () => ((await listed(id)) ? performance.now() : undefined));
    const up = until(`product-${id} up in Prometheus`, async () => ((await target(`product-${id}`))?.health === 'up' ? performance.now() : undefined), 60_000);
    const route = until(
      `product-${id} routed by nginx`,
      async () => {
        const answers = await Promise.all(
          Array.from({ length: 4 }, () =>
            fetch(`${gw}/api/products/1`, { headers: { authorization: 'Bearer bench' } })
              .then((r) => r.headers.get('x-instance-id'))
              .catch(() => null),
          ),
        );
        return answers.includes(`product-${id}`) ? performance.now() : undefined;
      },
      60_000,
    );
    const [upAt, routedAt] = await Promise.all([up, route]);
    added.push(upAt - registeredAt);
    routed.push(routedAt - registeredAt);
    child.kill('SIGTERM');
    const goneAt = await until(`product-${id} to deregister`, async () => (!(await listed(id)) ? performance.now() : undefined));
    const droppedAt = await until(
      `product-${id} dropped by Prometheus`,
      async () => (!(await target(`product-${id}`)) ? performance.now() : undefined),
      60_000,
    );
    dropped.push(droppedAt - goneAt);
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r()));
  }
  const summary = (list) => ({ medianMs: Math.round(median(list)), maxMs: Math.round(Math.max(...list)), allMs: list.map(Math.round) });
  const result = { trials, registrationToUp: summary(added), registrationToRouted: summary(routed), removalToDropped: summary(dropped) };
  result.upVsRoutedRatio = result.registrationToUp.medianMs / Math.max(1, result.registrationToRouted.medianMs);
  console.log(
    `registration → Prometheus target up over ${trials} trials: median ${result.registrationToUp.medianMs} ms, max ${result.registrationToUp.maxMs} ms (goal ≤ 2000 ms)`,
  );
  console.log(
    `  reference, registration → routed by nginx: median ${result.registrationToRouted.medianMs} ms · ratio Prometheus/nginx ${result.upVsRoutedRatio.toFixed(1)}`,
  );
  console.log(
    `deregistration → Prometheus target dropped: median ${result.removalToDropped.medianMs} ms, max ${result.removalToDropped.maxMs} ms (goal ≤ 1000 ms)`,
  );
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/prometheus-discovery.json'), JSON.stringify(result, null, 2));
}

runBenchmark(main, async () => {
  for (const c of cleanups.reverse()) await c();
});

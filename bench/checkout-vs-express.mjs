// Benchmark: `ecom overload --scenario checkout` through the gateway of a real cluster (product ×2, user, order,
// logger, nginx, redis) against the reference — one express process with one SQLite file doing the same order
// (bench/lib/express-order-reference.mjs), driven by the very same command in the same run. Also runs the `mix`
// scenario of `npm start`. Goals: checkout orders/s ≥ 0.35× the reference, checkout p99 ≤ 50 ms at concurrency 32,
// mix p99 ≤ 25 ms. Not a test: never fails on a missed goal. Writes bench/results/checkout-vs-express.json.
// Each phase also prints the CPU per request of every process of the cluster (nginx and redis included), read from
// /proc before and after it (bench/lib/cluster-cpu.mjs); the mix's figure includes its set-up (signing in load users).
// Each side first runs WARMUP checkouts (default 500) that are not counted, printed as its warm-up: the first requests
// of a fresh cluster wait for code to compile, connections to open and threads to start (max 230-470 ms here), which
// is start-up, measured by bench/cluster-lifecycle.mjs. The mix gets WARMUP requests of its own first: after the
// checkouts its reads find empty caches and code paths not yet run. WARMUP=0 measures from cold.
// Usage: npm run build && node bench/checkout-vs-express.mjs [requests] [concurrency]
//   PROFILE_DIR=/abs/dir: every service process writes a V8 CPU profile there (node --cpu-prof) when the cluster stops.
//   LOOP_STATS=1: every service process counts its event-loop blocks, CPU and GC pauses (bench/lib/loop-stats-preload.mjs),
//   printed per phase: the causes of tail latency in measures that do not depend on the machine's load.
//   KEEP=1: leaves the cluster running and prints its cluster file.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, runBenchmark, until, writeBenchCluster } from './lib/bench-kit.mjs';
import { formatLoopStats, loopStatsBetween, readLoopStats } from './lib/loop-stats.mjs';
import { clusterCpu, formatClusterCpu } from './lib/cluster-cpu.mjs';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'dist/cli/main.js');
const requests = Number(process.argv[2] ?? 4000);
const concurrency = Number(process.argv[3] ?? 32);
const warmup = Number(process.env.WARMUP ?? 500);
const dir = mkdtempSync(join(tmpdir(), 'ecom-bench-checkout-'));
const file = join(dir, 'config.json');
const refFile = join(dir, 'reference.json');
let reference;

const ecom = (args, env = {}) => run(process.execPath, [bin, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: 600_000, env: { ...process.env, ...env } });
const overload = async (config, scenario, n) =>
  JSON.parse(
    (await ecom(['overload', '--scenario', scenario, '--request_count', String(n), '--concurrency', String(concurrency), '--json', '-', '-c', config])).stdout,
  );
const line = (name, r) =>
  `${name.padEnd(22)} ${String(Math.round(r.rps)).padStart(6)} req/s  p50 ${r.latencyMs.p50} ms  p90 ${r.latencyMs.p90} ms  p99 ${r.latencyMs.p99} ms  max ${r.latencyMs.max} ms  errors ${r.errors}`;

async function main() {
  const refPort = await freePort();
  reference = spawn(process.execPath, [join(root, 'bench/lib/express-order-reference.mjs'), String(refPort), join(dir, 'reference.db')], { stdio: 'ignore' });
  writeFileSync(refFile, JSON.stringify({ stateDir: 'ref-state', gateway: { port: refPort } }));
  await until('the reference', async () => (await fetch(`http://127.0.0.1:${refPort}/api/products?limit=1`)).ok);
  if (warmup > 0) console.log(line('reference warm-up', await overload(refFile, 'checkout', warmup)));
  const ref = await overload(refFile, 'checkout', requests);
  reference.kill('SIGKILL');
  console.log(line('reference checkout', ref));

  const { portOf } = await writeBenchCluster(file, { product: [1, 2], user: [3], logger: [4], order: [5] });
  const statsDir = join(dir, 'loop-stats');
  mkdirSync(statsDir, { recursive: true });
  const preloads = [
    ...(process.env.PROFILE_DIR ? [join(root, 'bench/lib/cpu-profile-preload.mjs')] : []),
    ...(process.env.LOOP_STATS ? [join(root, 'bench/lib/loop-stats-preload.mjs')] : []),
  ];
  const preloadEnv = preloads.length ? { NODE_OPTIONS: preloads.map((p) => `--import ${p}`).join(' '), LOOP_STATS_DIR: statsDir } : {};
  await ecom(['up', '-d', '-c', file], preloadEnv);
  await ecom(['seed', '--products', '200', '--users', '10', '-c', file]);
  if (warmup > 0) console.log(line('cluster warm-up', await overload(file, 'checkout', warmup)));
  const s0 = process.env.LOOP_STATS ? readLoopStats(statsDir) : {};
  const c0 = clusterCpu(dir);
  const checkout = await overload(file, 'checkout', requests);
  console.log(line('cluster checkout', checkout));
  console.log(formatClusterCpu('checkout', c0, clusterCpu(dir), checkout.requests ?? requests));
  await new Promise((r) => setTimeout(r, 1100));
  const s1 = process.env.LOOP_STATS ? readLoopStats(statsDir) : {};
  const loopStats = {};
  if (process.env.LOOP_STATS) console.log(formatLoopStats('checkout', (loopStats.checkout = loopStatsBetween(s0, s1, checkout.requests ?? requests))));
  const lockWaits = {};
  let mixWarmup;
  for (const [name, id] of [
    ['product-1', 1],
    ['product-2', 2],
    ['order-5', 5],
  ]) {
    const text = await (await fetch(`http://127.0.0.1:${portOf[id]}/metrics`)).text();
    const value = (metric) => [...text.matchAll(new RegExp(`^${metric}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
    lockWaits[name] = { waits: value('ecom_sqlite_lock_waits_total'), waitedMs: Math.round(value('ecom_sqlite_lock_wait_seconds_total') * 1000) };
  }
  console.log(`SQLite lock waits during checkout (yielding, not blocking): ${JSON.stringify(lockWaits)}`);
  // Cache outcomes of the product instances during the mix: how many reads a write made load again (miss).
  const cacheOutcomes = async () => {
    const counts = {};
    for (const id of [1, 2]) {
      const text = await (await fetch(`http://127.0.0.1:${portOf[id]}/metrics`)).text();
      for (const m of text.matchAll(/^ecom_cache_requests_total\{[^}]*outcome="(\w+)"[^}]*\} (\S+)$/gm)) counts[m[1]] = (counts[m[1]] ?? 0) + Number(m[2]);
    }
    return counts;
  };
  // The first mix after the checkouts meets read caches the orders emptied (each changed a product's stock) and a
  // product service that has not yet served a GET: printed as the mix's warm-up, not counted.
  if (warmup > 0) console.log(line('mix warm-up', (mixWarmup = await overload(file, 'mix', warmup))));
  const cacheBefore = await cacheOutcomes();
  const s2 = process.env.LOOP_STATS ? readLoopStats(statsDir) : {};
  const c2 = clusterCpu(dir);
  const mix = await overload(file, 'mix', 3000);
  console.log(line('cluster mix (3000)', mix));
  console.log(formatClusterCpu('mix', c2, clusterCpu(dir), mix.requests ?? 3000));
  const mixCache = Object.fromEntries(Object.entries(await cacheOutcomes()).map(([k, v]) => [k, v - (cacheBefore[k] ?? 0)]));
  console.log(`product cache reads during the mix, by outcome: ${JSON.stringify(mixCache)}`);
  if (process.env.LOOP_STATS) {
    await new Promise((r) => setTimeout(r, 1100));
    console.log(formatLoopStats('mix', (loopStats.mix = loopStatsBetween(s2, readLoopStats(statsDir), mix.requests ?? 3000))));
  }
  const ratio = checkout.rps / ref.rps;
  console.log(
    `checkout orders/s ${ratio.toFixed(2)}× the reference (goal ≥ 0.35): ${ratio >= 0.35 ? 'met' : 'MISSED'}; p99 ${checkout.latencyMs.p99} ms (goal ≤ 50): ${checkout.latencyMs.p99 <= 50 ? 'met' : 'MISSED'}; mix p99 ${mix.latencyMs.p99} ms (goal ≤ 25): ${mix.latencyMs.p99 <= 25 ? 'met' : 'MISSED'}`,
  );
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(
    join(root, 'bench/results/checkout-vs-express.json'),
    `${JSON.stringify({ at: new Date().toISOString(), requests, concurrency, warmup, reference: ref, checkout, mixWarmup, mix, ratio, lockWaits, loopStats, mixCache }, null, 2)}\n`,
  );
}

runBenchmark(main, async () => {
  reference?.kill('SIGKILL');
  if (process.env.KEEP) {
    console.log(`cluster left running: ${file}`);
    return;
  }
  await ecom(['down', '-c', file]).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

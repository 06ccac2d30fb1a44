// Benchmark: `ecom overload` against wrk at 1,000 connections, in one run, on two targets:
//  1. nginx `return 200` (its own nginx on a free port): throughput ratio (goal ≥ 0.7× wrk) and CPU per 1,000
//     requests of the load tool itself, user + system (goal ≤ 1.5× wrk's): wrk's from bash's `times`, ecom's engine's
//     over its measured run from its report (generator.cpuPercent × durationMs: process.cpuUsage), the whole ecom
//     process's from `times` printed beside it (start-up, module loading and set-up included);
//  2. one cached product URL through the gateway of a running `ecom up -d` cluster: throughput ratio (goal ≥ 0.8×
//     wrk) and p99 ratio (goal ≤ 2× wrk's);
//  3. `--scenario checkout --concurrency 1000`: set-up time, from the process start to its first measured request
//     (the report's startedAt), goal < 10 s, and whether the run completes.
// ecom runs with its default --workers (1 on a 2-core machine whose target runs on the same cores) and, as a
// further row, with --workers 2. Each round alternates the order of the tools; every run is printed, then the median
// and the spread (min–max) of each figure and of each round's ratio, because the machine is shared and noisy.
// Nothing is pinned to a CPU: tools and targets share the machine's cores, as a user's run would.
// Not a test: a missed goal is printed, never an exit code.
// Usage: npm run build && node bench/overload-at-1000-connections.mjs [rounds=3] [requests=200000]
// Writes bench/results/overload-at-1000-connections.json.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { formatSpread as fmt, parseWrk, runBenchmark, spread, startReturn200Nginx, writeBenchCluster } from './lib/bench-kit.mjs';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'dist/cli/main.js');
const rounds = Number(process.argv[2] ?? 3);
const requests = Number(process.argv[3] ?? 200_000);
const CONNECTIONS = 1000;
const cleanups = [];

/** Runs a command under bash, whose `times` reports the CPU (user + system) the command used, in ms. */
async function timed(cmd, args) {
  const { stdout, stderr } = await run('bash', ['-c', '"$@"; s=$?; times >&2; exit $s', 'bash', cmd, ...args], { maxBuffer: 64 * 1024 * 1024 });
  const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(stderr.trim());
  const cpuMs = m ? (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000 : NaN;
  return { stdout, cpuMs };
}

/** ecom overload at 1,000 connections, exactly `amount` requests; figures from its JSON report. */
async function ecomRun(url, amount, extra = []) {
  const { stdout, cpuMs } = await timed(process.execPath, [
    bin,
    'overload',
    '--target',
    url,
    '-n',
    String(amount),
    '--concurrency',
    String(CONNECTIONS),
    ...extra,
    '--json',
    '-',
  ]);
  const r = JSON.parse(stdout);
  // The engine's CPU over the measured run (process.cpuUsage, as its report carries it); the whole process's, start-up
  // and set-up included, beside it.
  const engineCpuMs = (r.generator.cpuPercent / 100) * r.durationMs;
  return {
    requests: r.requests,
    rps: r.rps,
    p50: r.latencyMs.p50,
    p99: r.latencyMs.p99,
    errors: r.errors,
    cpuMs: engineCpuMs,
    processCpuMs: cpuMs,
    saturated: r.generator.saturated,
  };
}

/** wrk, one thread, 1,000 connections, for `seconds`; figures from its --latency output. */
async function wrkRun(url, seconds) {
  const { stdout, cpuMs } = await timed('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', url]);
  const { requests, rps, p50, p99, errors } = parseWrk(stdout);
  return { requests, rps, p50, p99, errors, cpuMs };
}

/** Rounds of ecom (default workers), ecom --workers 2 and wrk on one URL, the order alternating; figures and ratios. */
async function compare(name, url) {
  let wrkRate = (await wrkRun(url, 2)).rps; // warm-up; its rate sizes wrk's runs to about `requests`
  const tools = {
    ecom: () => ecomRun(url, requests),
    'ecom --workers 2': () => ecomRun(url, requests, ['--workers', '2']),
    wrk: async () => {
      // About `requests`, at the rate of its previous run; 2–20 s, whatever a starved warm-up measured.
      const r = await wrkRun(url, Math.min(20, Math.max(2, Math.round(requests / Math.max(1, wrkRate)))));
      wrkRate = r.rps;
      return r;
    },
  };
  const runs = Object.fromEntries(Object.keys(tools).map((t) => [t, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? Object.keys(tools) : Object.keys(tools).reverse();
    for (const tool of order) {
      const r = await tools[tool]();
      r.cpuMsPer1k = (r.cpuMs / r.requests) * 1000;
      const whole = r.processCpuMs === undefined ? '' : ` (whole process ${((r.processCpuMs / r.requests) * 1000).toFixed(2)})`;
      runs[tool].push(r);
      console.log(
        `  ${name} round ${round + 1} ${tool.padEnd(16)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  CPU ${r.cpuMsPer1k.toFixed(2)} ms/1k req${whole}  requests ${r.requests}  errors ${r.errors}${r.saturated ? '  (generator saturated)' : ''}`,
      );
    }
  }
  const figures = Object.fromEntries(
    Object.entries(runs).map(([tool, rs]) => [
      tool,
      { rps: spread(rs.map((r) => r.rps)), p99: spread(rs.map((r) => r.p99)), cpuMsPer1k: spread(rs.map((r) => r.cpuMsPer1k)), runs: rs },
    ]),
  );
  const ratios = {};
  for (const tool of ['ecom', 'ecom --workers 2']) {
    const per = (f) => spread(runs[tool].map((r, i) => f(r, runs.wrk[i])));
    ratios[tool] = { rps: per((e, w) => e.rps / w.rps), p99: per((e, w) => e.p99 / w.p99), cpu: per((e, w) => e.cpuMsPer1k / w.cpuMsPer1k) };
  }
  return { url: url.replace(/:\d+/, ':PORT'), figures, ratios };
}

function printTarget(title, result, goals) {
  console.log(`\n${title}`);
  for (const [tool, f] of Object.entries(result.figures)) {
    console.log(`  ${tool.padEnd(16)} ${fmt(f.rps)} req/s  p99 ${fmt(f.p99, 1)} ms  CPU ${fmt(f.cpuMsPer1k, 2)} ms/1k req`);
  }
  for (const [tool, r] of Object.entries(result.ratios)) {
    const verdict = (ok) => (ok ? 'met' : 'MISSED');
    const parts = [`throughput ${fmt(r.rps, 2)} (goal ≥ ${goals.rps}: ${verdict(r.rps.median >= goals.rps)})`];
    if (goals.p99) parts.push(`p99 ${fmt(r.p99, 2)} (goal ≤ ${goals.p99}: ${verdict(r.p99.median <= goals.p99)})`);
    if (goals.cpu) parts.push(`CPU/request ${fmt(r.cpu, 2)} (goal ≤ ${goals.cpu}: ${verdict(r.cpu.median <= goals.cpu)})`);
    console.log(`  ${tool} ÷ wrk, median (min–max of the rounds): ${parts.join(' · ')}`);
  }
}

/** `--scenario checkout --concurrency 1000` against the cluster: set-up time and whether it completes. */
async function checkoutSetup(file) {
  const trials = [];
  for (let i = 0; i < 2; i++) {
    const spawnedAt = Date.now();
    const { stdout } = await run(
      process.execPath,
      [bin, 'overload', '--scenario', 'checkout', '--concurrency', String(CONNECTIONS), '-n', '3000', '--json', '-', '-c', file],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const r = JSON.parse(stdout);
    const setupMs = Date.parse(r.startedAt) - spawnedAt;
    trials.push({ setupMs, requests: r.requests, errors: r.errors, errorsByKind: r.errorsByKind, rps: r.rps, p99: r.latencyMs.p99 });
    console.log(
      `  checkout trial ${i + 1}: set-up ${(setupMs / 1000).toFixed(2)} s · ${r.requests} requests, ${r.errors} errors ${JSON.stringify(r.errorsByKind)}, ${r.rps} req/s, p99 ${r.latencyMs.p99} ms`,
    );
  }
  return trials;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'ecom-bench-1000-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  console.log(`1,000 connections · ${rounds} rounds · ecom ${requests} requests per run · ${cpus().length} CPUs, nothing pinned · node ${process.version}`);
  const ret200 = await compare('return 200', await startReturn200Nginx(join(dir, 'nginx'), cleanups));

  const file = join(dir, 'config.json');
  const { gateway } = await writeBenchCluster(file, { product: [1, 2], user: [3], logger: [4], order: [5] });
  await run(process.execPath, [bin, 'up', '-d', '-c', file], { cwd: dir });
  cleanups.push(() => run(process.execPath, [bin, 'down', '-c', file], { cwd: dir }).catch(() => undefined));
  await run(process.execPath, [bin, 'seed', '--products', '100', '--users', '10', '-c', file], { cwd: dir });
  const cached = await compare('cached product', `http://127.0.0.1:${gateway}/api/products/1`);
  console.log('\n--scenario checkout --concurrency 1000');
  const checkout = await checkoutSetup(file);

  printTarget('nginx return 200', ret200, { rps: 0.7, cpu: 1.5 });
  printTarget('one cached product URL through the gateway', cached, { rps: 0.8, p99: 2 });
  const setup = spread(checkout.map((t) => t.setupMs / 1000));
  console.log(
    `\ncheckout at 1,000 connections: set-up ${fmt(setup, 2)} s (goal < 10 s: ${setup.max < 10 ? 'met' : 'MISSED'}), completed ${checkout.map((t) => t.requests).join(', ')} requests`,
  );

  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(
    join(root, 'bench/results/overload-at-1000-connections.json'),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, rounds, requests, ret200, cached, checkout }, null, 2)}\n`,
  );
  console.log('\nwrote bench/results/overload-at-1000-connections.json');
}

runBenchmark(main, async () => {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      await c();
    } catch {}
  }
});

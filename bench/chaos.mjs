// Benchmark: `ecom chaos` for 60 s at 100 req/s of the mix scenario with a fault every 3 s and every fault kind, on a
// cluster with two instances of product, user and order; as the reference, the same load without faults, measured
// in the same run. Prints failed requests, retries and latency under chaos against the reference, and every
// invariant; writes bench/results/chaos.json. Not a test: it never fails on a missed goal (goal: 0 failed requests,
// every invariant held). Usage: npm run build && node bench/chaos.mjs [seconds] [rate] [seed]
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runBenchmark, writeBenchCluster } from './lib/bench-kit.mjs';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'dist/cli/main.js');
const seconds = Number(process.argv[2] ?? 60);
const rate = Number(process.argv[3] ?? 100);
const seed = Number(process.argv[4] ?? 11);
const dir = mkdtempSync(join(tmpdir(), 'ecom-bench-chaos-'));
const file = join(dir, 'config.json');

async function clusterFile() {
  await writeBenchCluster(file, { product: [1, 2], user: [3, 6], logger: [4], order: [5, 7] });
}

const ecom = (...args) => run(process.execPath, [bin, ...args, '-c', file], { maxBuffer: 64 * 1024 * 1024, timeout: (seconds + 180) * 1000 });

async function main() {
  await clusterFile();
  await ecom('up', '-d');
  await ecom('seed', '--products', '100', '--users', '10');
  console.log(`reference: ${seconds}s at ${rate} req/s of mix, no faults`);
  const reference = JSON.parse(
    (await ecom('overload', '--rate', String(rate), '--duration', `${seconds}s`, '--scenario', 'mix', '--timeout', '30s', '--json', '-')).stdout,
  );
  console.log(`chaos: the same load with a fault every 3 s, every kind, seed ${seed}`);
  const res = await ecom('chaos', '--duration', `${seconds}s`, '--rate', String(rate), '--every', '3s', '--seed', String(seed), '--json', '-').catch(
    (err) => err,
  );
  const chaos = JSON.parse(res.stdout);
  const faults = chaos.faults.filter((f) => !f.skipped);
  const kinds = [...new Set(faults.map((f) => f.kind))];
  const ratio = (a, b) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
  console.log(`faults injected: ${faults.length} (${kinds.length} kinds: ${kinds.join(', ')}); skipped ${chaos.faults.length - faults.length}`);
  console.log(
    `requests: chaos ${chaos.load.requests}, failed ${chaos.failures.length}, retried ${chaos.load.retries}; reference ${reference.requests}, errors ${reference.errors}, retried ${reference.retries}`,
  );
  for (const p of ['p50', 'p99', 'max']) {
    console.log(
      `latency ${p}: chaos ${chaos.load.latencyMs[p]} ms vs reference ${reference.latencyMs[p]} ms = ${ratio(chaos.load.latencyMs[p], reference.latencyMs[p])}×`,
    );
  }
  for (const inv of chaos.invariants) console.log(`  ${inv.ok ? '✓' : '✗'} ${inv.name}: ${inv.detail}`);
  console.log(`goal (0 failed requests, every invariant held): ${chaos.ok ? 'met' : 'MISSED'}`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(
    join(root, 'bench/results/chaos.json'),
    `${JSON.stringify({ at: new Date().toISOString(), seconds, rate, seed, reference, chaos: { ok: chaos.ok, load: chaos.load, faults: chaos.faults, failures: chaos.failures, invariants: chaos.invariants } }, null, 2)}\n`,
  );
}

runBenchmark(main, async () => {
  await ecom('down').catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

// Benchmark: cold `ecom up -d` until the gateway serves, `ecom down`, and `kill -9` of a product instance until a
// replacement is healthy and routed again. Runs the built binary against a cluster file with free ports in a temp
// dir, several rounds, and prints medians against the goals (≤ 3 s, ≤ 2 s, ≤ 1.5 s). Not a test: it never fails on
// a missed goal. Usage: npm run build && node bench/cluster-lifecycle.mjs [rounds]
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, until, median, runBenchmark } from './lib/bench-kit.mjs';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'dist/cli/main.js');
const rounds = Number(process.argv[2] ?? 3);

async function clusterFile(dir) {
  const ports = [];
  while (ports.length < 8) {
    const p = await freePort();
    if (!ports.includes(p)) ports.push(p);
  }
  const [gateway, iscs, redis, p1, p2, u, l, o] = ports;
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      stateDir: 'state',
      gateway: { port: gateway },
      iscs: { port: iscs },
      redis: { port: redis },
      services: {
        product: {
          instances: [
            { id: 1, port: p1 },
            { id: 2, port: p2 },
          ],
        },
        user: { instances: [{ id: 3, port: u }] },
        logger: { instances: [{ id: 4, port: l }] },
        order: { instances: [{ id: 5, port: o }] },
      },
    }),
  );
  return { file, gateway };
}

const ecom = (...args) => run(process.execPath, [bin, ...args], { maxBuffer: 10 * 1024 * 1024 });

async function getStatus(file) {
  const { stdout } = await ecom('status', '--json', '-c', file);
  return JSON.parse(stdout);
}

async function main() {
  const results = { upMs: [], downMs: [], replaceMs: [] };
  for (let round = 1; round <= rounds; round++) {
    const dir = mkdtempSync(join(tmpdir(), 'ecom-bench-life-'));
    mkdirSync(dir, { recursive: true });
    const { file, gateway } = await clusterFile(dir);
    try {
      let t = performance.now();
      await ecom('up', '-d', '-c', file);
      await until('the gateway to serve', async () => (await fetch(`http://127.0.0.1:${gateway}/api/products`).catch(() => undefined))?.status === 200);
      results.upMs.push(performance.now() - t);

      const before = (await getStatus(file)).processes.find((p) => p.service === 'product' && p.id === 1);
      t = performance.now();
      process.kill(before.pid, 'SIGKILL');
      await until('product-1 to be replaced and routed', async () => {
        const now = (await getStatus(file)).processes.find((p) => p.service === 'product' && p.id === 1);
        if (!now || now.pid === before.pid || now.health !== 'healthy') return false;
        const res = await fetch(`http://127.0.0.1:${gateway}/api/products`, { headers: { authorization: 'Bearer bench' } }).catch(() => undefined);
        return res?.headers.get('x-instance-id') === 'product-1';
      });
      results.replaceMs.push(performance.now() - t);

      t = performance.now();
      await ecom('down', '-c', file);
      results.downMs.push(performance.now() - t);
      console.log(
        `round ${round}: up ${results.upMs.at(-1).toFixed(0)} ms, kill -9 → routed ${results.replaceMs.at(-1).toFixed(0)} ms, down ${results.downMs.at(-1).toFixed(0)} ms`,
      );
    } finally {
      await ecom('down', '-c', file).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const summary = {
    upMs: Math.round(median(results.upMs)),
    downMs: Math.round(median(results.downMs)),
    killToRoutedMs: Math.round(median(results.replaceMs)),
  };
  console.log('\nmedian over %d rounds', rounds);
  console.log(`  cold up -d → gateway serving   ${summary.upMs} ms   (goal ≤ 3000 ms, ratio to goal ${(summary.upMs / 3000).toFixed(2)})`);
  console.log(`  down                           ${summary.downMs} ms   (goal ≤ 2000 ms, ratio to goal ${(summary.downMs / 2000).toFixed(2)})`);
  console.log(`  kill -9 → replaced and routed  ${summary.killToRoutedMs} ms   (goal ≤ 1500 ms, ratio to goal ${(summary.killToRoutedMs / 1500).toFixed(2)})`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/cluster-lifecycle.json'), JSON.stringify({ rounds, samples: results, median: summary }, null, 2));
}

runBenchmark(main);

// Benchmark: a catalogue of a million. `ecom import products` of N generated products (JSON Lines, like `ecom seed`'s
// names plus a description) into a real cluster (product ×2), then uncached searches and list pages at random depths
// straight against a product instance (every request a cache key not asked before, so each one reads SQLite).
// Reference, measured in the same run the same way: a GET of one product by id (a cache miss as well).
// Goals (issue 13): import of 1,000,000 ≤ 30 s; search p99 ≤ 20 ms; list pages at any depth p99 ≤ 5 ms.
// Not a test: never fails on a missed goal. Writes bench/results/import-and-search.json.
// Usage: npm run build && node bench/import-and-search.mjs [products] [requests]
//   LOOP_STATS=1: the queried product instance counts its event-loop blocks, CPU and GC pauses per phase
//   (bench/lib/loop-stats-preload.mjs): whether a slow request was the process's own work or the machine.
import { execFile } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Pool } from 'undici';
import { percentile, runBenchmark, writeBenchCluster } from './lib/bench-kit.mjs';
import { formatLoopStats, loopStatsBetween, readLoopStats } from './lib/loop-stats.mjs';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'dist/cli/main.js');
const count = Number(process.argv[2] ?? 1_000_000);
const requests = Number(process.argv[3] ?? 300);
const dir = mkdtempSync(join(tmpdir(), 'ecom-bench-import-'));
const file = join(dir, 'config.json');
const statsDir = join(dir, 'loop-stats');
const statsEnv = process.env.LOOP_STATS ? { NODE_OPTIONS: `--import ${join(root, 'bench/lib/loop-stats-preload.mjs')}`, LOOP_STATS_DIR: statsDir } : {};
const ecom = (...args) =>
  run(process.execPath, [bin, ...args, '-c', file], { maxBuffer: 64 * 1024 * 1024, timeout: 900_000, env: { ...process.env, ...statsEnv } });
/** Runs `phase` and, with LOOP_STATS, prints what it cost the queried instance (product-1). */
async function withLoopStats(name, n, phase) {
  if (!process.env.LOOP_STATS) return phase();
  const before = readLoopStats(statsDir);
  const result = await phase();
  await new Promise((r) => setTimeout(r, 1100));
  const rows = loopStatsBetween(before, readLoopStats(statsDir), n);
  console.log(formatLoopStats(`  ${name}`, { 'product-1': rows['product-1'] }));
  return result;
}
const ADJECTIVES = ['Classic', 'Compact', 'Deluxe', 'Eco', 'Ultra', 'Smart', 'Vintage', 'Rugged', 'Silent', 'Bright'];
const NOUNS = ['Kettle', 'Backpack', 'Lamp', 'Headphones', 'Notebook', 'Bottle', 'Chair', 'Keyboard', 'Jacket', 'Watch'];
const pick = (list) => list[Math.floor(Math.random() * list.length)];

async function writeFile(path) {
  const out = createWriteStream(path);
  for (let start = 0; start < count; start += 1000) {
    let text = '';
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const name = `${ADJECTIVES[i % 10]} ${NOUNS[Math.floor(i / 10) % 10]} ${i + 1}`;
      text += `${JSON.stringify({ name, description: `Imported product ${i + 1} of the big catalogue`, price: 100 + (i % 5000), stock: 1000 })}\n`;
    }
    if (!out.write(text)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

/** Requests of each kind sent first and not counted (the first of a kind compiles its code path). */
const WARMUP = 20;
// One kept-alive undici connection per origin: a client that costs the bench little (global fetch spent about half a
// millisecond of every call in the bench process itself, which every figure carried).
const pools = new Map();

/** Sends `urls` one after another; the latencies of all but the first WARMUP. */
async function timed(urls) {
  const ms = [];
  for (const url of urls) {
    const { origin, pathname, search } = new URL(url);
    if (!pools.has(origin)) pools.set(origin, new Pool(origin, { connections: 1 }));
    const t = performance.now();
    const res = await pools.get(origin).request({ method: 'GET', path: `${pathname}${search}` });
    await res.body.arrayBuffer();
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
    ms.push(performance.now() - t);
  }
  ms.splice(0, WARMUP);
  return { p50: +percentile(ms, 50).toFixed(2), p99: +percentile(ms, 99).toFixed(2), max: +Math.max(...ms).toFixed(2) };
}

async function main() {
  const { portOf } = await writeBenchCluster(file, { product: [1, 2], user: [3], logger: [4], order: [5] });
  mkdirSync(statsDir, { recursive: true });
  await ecom('up', '-d');
  const data = join(dir, 'products.jsonl');
  await writeFile(data);
  const t0 = performance.now();
  const imported = JSON.parse((await ecom('import', 'products', data, '--json')).stdout);
  const importS = (performance.now() - t0) / 1000;
  console.log(
    `import of ${imported.imported} products: ${importS.toFixed(1)} s wall (${(imported.durationMs / 1000).toFixed(1)} s in the service) (goal ≤ 30 s for 1,000,000)`,
  );
  const base = `http://127.0.0.1:${portOf[1]}`;
  const { firstId, lastId } = imported;
  const id = () => firstId + Math.floor(Math.random() * (lastId - firstId + 1));
  const limit = (i) => 1 + (i % 100);
  const cursor = (n) => Buffer.from(String(n)).toString('base64url');
  const reference = await timed(Array.from({ length: WARMUP + requests }, () => `${base}/api/products/${id()}`));
  const kinds = {
    'search: name word (1 in 10 products)': (i) => `q=${pick(ADJECTIVES).toLowerCase()}&limit=${limit(i)}`,
    'search: two name words (1 in 100)': (i) => `q=${encodeURIComponent(`${pick(ADJECTIVES)} ${pick(NOUNS)}`)}&limit=${limit(i)}`,
    'search: a product number': (i) => `q=${1 + Math.floor(Math.random() * count)}&limit=${limit(i)}`,
    'search: word in every product': (i) => `q=catalogue&limit=${limit(i)}`,
  };
  const results = { reference };
  console.log(`reference GET /api/products/{id}: p50 ${reference.p50} ms, p99 ${reference.p99} ms`);
  // A search whose pages come in id order hands out cursors by the last id seen ("i<id>", keyset): its requests start
  // after a random id (a page at any depth); a ranked one's count results (the i-th request starts at result i).
  const afterRandomId = () => Buffer.from(`i${id()}`).toString('base64url');
  for (const [name, query] of Object.entries(kinds)) {
    const probe = await (await fetch(`${base}/api/products?${query(1)}`)).json();
    const byId = probe.nextCursor !== null && Buffer.from(probe.nextCursor, 'base64url').toString().startsWith('i');
    // No two requests share a cache key.
    results[name] = await withLoopStats(name, requests, () =>
      timed(Array.from({ length: WARMUP + requests }, (_, i) => `${base}/api/products?${query(i)}&cursor=${byId ? afterRandomId() : cursor(i)}`)),
    );
    results[name].pages = byId ? 'by id, at random depths' : 'by offset 0-' + (WARMUP + requests - 1);
    console.log(`${name.padEnd(40)} p50 ${results[name].p50} ms, p99 ${results[name].p99} ms (goal p99 ≤ 20 ms; pages ${results[name].pages})`);
  }
  results.list = await withLoopStats('list', requests, () =>
    timed(Array.from({ length: WARMUP + requests }, (_, i) => `${base}/api/products?limit=${limit(i)}&cursor=${cursor(id())}`)),
  );
  console.log(`${'list page at a random depth'.padEnd(40)} p50 ${results.list.p50} ms, p99 ${results.list.p99} ms (goal p99 ≤ 5 ms)`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(
    join(root, 'bench/results/import-and-search.json'),
    `${JSON.stringify({ at: new Date().toISOString(), count, importS, imported, results }, null, 2)}\n`,
  );
}

runBenchmark(main, async () => {
  await ecom('down').catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

// Benchmark: GET /api/products/:id on one product instance vs an express 5 hello-world, same load tool (wrk, one
// thread, same connections and duration), runs alternated A/B to spread the machine's noise, medians compared.
// Goal: product ≥ 0.85 × express (the data path adds little over express itself). Not a test: never fails on a
// missed goal. wrk is pinned to CPU 1 with taskset when available, the servers run on what is left.
// Usage: npm run build && node bench/product-get-vs-express.mjs [rounds] [seconds]
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, until, median, runBenchmark } from './lib/bench-kit.mjs';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'dist/cli/main.js');
const rounds = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 5);
const children = [];
const start = (cmd, args, opts = {}) => {
  const child = spawn(cmd, args, { stdio: 'ignore', ...opts });
  children.push(child);
  return child;
};
const hasTaskset = await run('taskset', ['--version']).then(
  () => true,
  () => false,
);

async function wrk(url) {
  const args = ['-t1', '-c32', `-d${seconds}s`, '--latency', url];
  const { stdout } = hasTaskset ? await run('taskset', ['-c', '1', 'wrk', ...args]) : await run('wrk', args);
  const lat = (p) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(stdout);
    const v = Number(m?.[1] ?? NaN);
    return m?.[2] === 'us' ? v / 1000 : m?.[2] === 's' ? v * 1000 : v;
  };
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0), p50: lat(50), p99: lat(99) };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'ecom-bench-product-'));
  const [redisPort, productPort, userPort, expressPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      stateDir: 'state',
      redis: { port: redisPort },
      services: {
        product: { instances: [{ id: 1, port: productPort }] },
        user: { instances: [{ id: 2, port: userPort }] },
        logger: { instances: [] },
        order: { instances: [] },
      },
    }),
  );
  start('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no']);
  const service = (kind, id, port) =>
    start(process.execPath, [bin, 'service', 'start', kind, '--id', String(id), '--port', String(port), '--iscs', 'none', '-c', join(dir, 'config.json')]);
  service('product', 1, productPort);
  service('user', 2, userPort);
  writeFileSync(
    join(dir, 'hello.mjs'),
    `import express from ${JSON.stringify(join(root, 'node_modules/express/index.js'))};\nconst app = express();\napp.get('/', (_req, res) => res.json({ hello: 'world' }));\napp.listen(${expressPort}, '127.0.0.1');\n`,
  );
  start(process.execPath, [join(dir, 'hello.mjs')]);
  const productUrl = `http://127.0.0.1:${productPort}/api/products/1`;
  const expressUrl = `http://127.0.0.1:${expressPort}/`;
  await until(
    'services',
    async () =>
      (await fetch(`http://127.0.0.1:${userPort}/health`)).ok && (await fetch(`http://127.0.0.1:${productPort}/health`)).ok && (await fetch(expressUrl)).ok,
  );
  const { admin } = JSON.parse(readFileSync(join(dir, 'state/credentials.json'), 'utf8'));
  const login = await (
    await fetch(`http://127.0.0.1:${userPort}/api/users/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(admin),
    })
  ).json();
  const created = await fetch(`http://127.0.0.1:${productPort}/api/products`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${login.token}` },
    body: JSON.stringify({ name: 'Bench product', description: 'measured', price: 1999, stock: 100 }),
  });
  if (created.status !== 201) throw new Error(`creating the product answered ${created.status}`);
  await wrk(productUrl);
  await wrk(expressUrl);
  const product = [];
  const express = [];
  for (let i = 0; i < rounds; i++) {
    product.push(await wrk(productUrl));
    express.push(await wrk(expressUrl));
    console.log(`round ${i + 1}: product ${product.at(-1).rps.toFixed(0)} rps · express ${express.at(-1).rps.toFixed(0)} rps`);
  }
  const summary = {
    product: { rps: median(product.map((r) => r.rps)), p50Ms: median(product.map((r) => r.p50)), p99Ms: median(product.map((r) => r.p99)) },
    express: { rps: median(express.map((r) => r.rps)), p50Ms: median(express.map((r) => r.p50)), p99Ms: median(express.map((r) => r.p99)) },
  };
  summary.ratio = summary.product.rps / summary.express.rps;
  console.log(`\nGET product by id: ${summary.product.rps.toFixed(0)} rps (p50 ${summary.product.p50Ms} ms, p99 ${summary.product.p99Ms} ms)`);
  console.log(`express hello:     ${summary.express.rps.toFixed(0)} rps (p50 ${summary.express.p50Ms} ms, p99 ${summary.express.p99Ms} ms)`);
  console.log(`ratio ${summary.ratio.toFixed(2)} (goal ≥ 0.85), medians of ${rounds} alternating ${seconds}s wrk runs, 32 connections`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/product-get-vs-express.json'), JSON.stringify({ rounds, seconds, runs: { product, express }, summary }, null, 2));
  rmSync(dir, { recursive: true, force: true });
}

const cleanup = () => {
  for (const c of children) c.kill('SIGKILL');
};
runBenchmark(main, cleanup);

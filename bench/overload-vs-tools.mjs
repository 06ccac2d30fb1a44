// Benchmark: `ecom overload` against autocannon and wrk on the same targets (nginx `return 200`, one express 5
// hello-world), same connection count, alternating order. Load tools run pinned to CPU 1 and targets to CPU 0 when
// taskset exists. Goals: ecom ≥ 1.2 × autocannon's throughput; ecom's p50 within 25 % of wrk's on the express target.
// Not a test: never fails on a missed goal. Usage: npm run build && node bench/overload-vs-tools.mjs [connections]
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sleep, freePort, runBenchmark } from './lib/bench-kit.mjs';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const bin = join(root, 'dist/cli/main.js');
const connections = Number(process.argv[2] ?? 32);
const children = [];
const hasTaskset = await run('taskset', ['--version']).then(() => true, () => false);
const pinned = (cpu, cmd, args) => (hasTaskset ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args]);

async function ecomRun(url, amount) {
  const [cmd, args] = pinned(1, process.execPath, [bin, 'overload', '--target', url, '-n', String(amount), '--concurrency', String(connections), '--json', '-']);
  const { stdout } = await run(cmd, args, { maxBuffer: 10 * 1024 * 1024 });
  const report = JSON.parse(stdout.slice(stdout.indexOf('{')));
  return { rps: report.rps, p50: report.latencyMs.p50, errors: report.errors };
}

async function autocannonRun(url, amount) {
  // In a child pinned like the others, so no tool shares a core with its target.
  const script = `const ac = require(${JSON.stringify(require.resolve('autocannon'))});
ac({ url: ${JSON.stringify(url)}, connections: ${connections}, amount: ${amount} }, (err, r) => {
  if (err) { console.error(err); process.exit(1); }
  console.log(JSON.stringify({ rps: r.requests.total / (r.duration), p50: r.latency.p50, errors: r.errors + r.non2xx }));
});`;
  const [cmd, args] = pinned(1, process.execPath, ['-e', script]);
  const { stdout } = await run(cmd, args, { maxBuffer: 10 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').at(-1));
}

async function wrkRun(url, seconds) {
  const [cmd, args] = pinned(1, 'wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url]);
  const { stdout } = await run(cmd, args);
  const m = /\s50%\s+([\d.]+)(us|ms|s)/.exec(stdout);
  const p50 = m ? (m[2] === 'us' ? Number(m[1]) / 1000 : m[2] === 's' ? Number(m[1]) * 1000 : Number(m[1])) : NaN;
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0), p50, errors: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0) };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'ecom-bench-tools-'));
  const [nginxPort, expressPort] = await Promise.all([freePort(), freePort()]);
  mkdirSync(join(dir, 'logs'));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;${process.getuid?.() === 0 ? ' user root;' : ''}
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  server { listen 127.0.0.1:${nginxPort}; location / { default_type application/json; return 200 '{"ok":true}'; } } }`,
  );
  writeFileSync(join(dir, 'hello.mjs'), `import express from ${JSON.stringify(join(root, 'node_modules/express/index.js'))};\nconst app = express();\napp.get('/', (_req, res) => res.json({ hello: 'world' }));\napp.listen(${expressPort}, '127.0.0.1');\n`);
  for (const [cmd, args] of [pinned(0, 'nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')]), pinned(0, process.execPath, [join(dir, 'hello.mjs')])]) {
    children.push(spawn(cmd, args, { stdio: 'ignore', detached: true }));
  }
  const targets = { 'nginx return 200': `http://127.0.0.1:${nginxPort}/`, 'express hello': `http://127.0.0.1:${expressPort}/` };
  for (const url of Object.values(targets)) {
    for (let i = 0; (await fetch(url).catch(() => undefined))?.status !== 200; i++) {
      if (i > 200) throw new Error(`${url} did not come up`);
      await sleep(25);
    }
  }
  const results = {};
  for (const [name, url] of Object.entries(targets)) {
    const amount = name.startsWith('nginx') ? 150_000 : 40_000;
    await wrkRun(url, 2);
    const ecomA = await ecomRun(url, amount);
    const ac = await autocannonRun(url, amount);
    const wrk = await wrkRun(url, 5);
    const ecomB = await ecomRun(url, amount);
    const ecom = { rps: (ecomA.rps + ecomB.rps) / 2, p50: (ecomA.p50 + ecomB.p50) / 2, errors: ecomA.errors + ecomB.errors };
    results[name] = { ecom, autocannon: ac, wrk, ecomVsAutocannon: ecom.rps / ac.rps, ecomP50VsWrk: ecom.p50 / wrk.p50 };
    console.log(`${name}: ecom ${ecom.rps.toFixed(0)} rps p50 ${ecom.p50.toFixed(2)} ms · autocannon ${ac.rps.toFixed(0)} rps p50 ${ac.p50} ms · wrk ${wrk.rps.toFixed(0)} rps p50 ${wrk.p50} ms`);
    console.log(`  ecom/autocannon throughput ${(ecom.rps / ac.rps).toFixed(2)} (goal ≥ 1.2) · ecom p50 / wrk p50 ${(ecom.p50 / wrk.p50).toFixed(2)} (goal within 0.75–1.25 on express)`);
  }
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/overload-vs-tools.json'), JSON.stringify({ connections, results }, null, 2));
  rmSync(dir, { recursive: true, force: true });
}

const cleanup = () => {
  for (const c of children) {
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {}
  }
};
runBenchmark(main, cleanup);

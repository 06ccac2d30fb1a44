// Benchmark: `ecom overload` against autocannon and wrk, on the same targets (nginx `return 200`, one express 5
// hello-world process), with the same connection count, in alternating order (round 1: ecom, autocannon, wrk;
// round 2: wrk, autocannon, ecom; each tool's figures are the mean of its two runs). ecom and autocannon send exactly
// N requests; wrk runs for the duration that sends about N at the rate it reached in a warm-up. When taskset exists
// the load tools run on CPU 1 and the targets on CPU 0. Goals: ecom ≥ 1.2 × autocannon's throughput; ecom's p50
// within 25 % of wrk's on the express target. Not a test: a missed goal is printed, never an exit code.
// Usage: npm run build && node bench/overload-vs-autocannon-vs-wrk.mjs [connections=32] [nginxRequests=150000] [expressRequests=40000]
// Writes bench/results/overload-vs-tools.json.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, parseWrk, runBenchmark, until, writeReturn200Nginx } from './lib/bench-kit.mjs';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const bin = join(root, 'dist/cli/main.js');
const connections = Number(process.argv[2] ?? 32);
const amounts = { nginx: Number(process.argv[3] ?? 150_000), express: Number(process.argv[4] ?? 40_000) };
const children = [];
const hasTaskset =
  cpus().length >= 2 &&
  (await run('taskset', ['--version']).then(
    () => true,
    () => false,
  ));
const TOOL_CPU = 1;
const TARGET_CPU = 0;
const pinned = (cpu, cmd, args) => (hasTaskset ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args]);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Runs a load tool pinned to the tools' CPU under bash, whose `times` reports the CPU (user + system) the tool used:
 * when the target saturates first, CPU per request is what still tells the tools apart.
 */
async function runTool(cmd, args) {
  const [c, a] = pinned(TOOL_CPU, 'bash', ['-c', '"$@"; s=$?; times >&2; exit $s', 'bash', cmd, ...args]);
  const { stdout, stderr } = await run(c, a, { maxBuffer: 16 * 1024 * 1024 });
  const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(stderr.trim());
  const cpuMs = m ? (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000 : NaN;
  return { stdout, cpuMs };
}

/** ecom overload, closed model, exactly `amount` requests; figures from its JSON report. */
async function ecomRun(url, amount) {
  const { stdout, cpuMs } = await runTool(process.execPath, [
    bin,
    'overload',
    '--target',
    url,
    '-n',
    String(amount),
    '--concurrency',
    String(connections),
    '--json',
    '-',
  ]);
  const report = JSON.parse(stdout);
  return { requests: report.requests, rps: report.rps, p50: report.latencyMs.p50, errors: report.errors, cpuMs };
}

/** autocannon through its programmatic API, in a child pinned like the other tools. */
async function autocannonRun(url, amount) {
  const script = `const autocannon = require(${JSON.stringify(require.resolve('autocannon'))});
autocannon({ url: ${JSON.stringify(url)}, connections: ${connections}, amount: ${amount} }, (err, r) => {
  if (err) { console.error(err); process.exit(1); }
  console.log(JSON.stringify({ requests: r.requests.total, rps: r.requests.total / r.duration, p50: r.latency.p50, errors: r.errors + r.timeouts + r.non2xx }));
});`;
  const { stdout, cpuMs } = await runTool(process.execPath, ['-e', script]);
  return { ...JSON.parse(stdout.trim().split('\n').at(-1)), cpuMs };
}

/** wrk, one thread, for `seconds`; figures parsed from its --latency output. */
async function wrkRun(url, seconds) {
  const { stdout, cpuMs } = await runTool('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url]);
  const { requests, rps, p50, errors } = parseWrk(stdout);
  return { requests, rps, p50, errors, cpuMs };
}

async function startTargets(dir) {
  const [nginxPort, expressPort] = await Promise.all([freePort(), freePort()]);
  const nginxArgs = writeReturn200Nginx(dir, nginxPort);

  writeFileSync(
    join(dir, 'hello.mjs'),
    `import express from ${JSON.stringify(require.resolve('express'))};
const app = express();
app.get('/', (_req, res) => res.json({ hello: 'world' }));
const server = app.listen(${expressPort}, '127.0.0.1');
server.keepAliveTimeout = 60_000;
`,
  );
  for (const [cmd, args] of [pinned(TARGET_CPU, 'nginx', nginxArgs), pinned(TARGET_CPU, process.execPath, [join(dir, 'hello.mjs')])]) {
    children.push(spawn(cmd, args, { stdio: 'ignore', detached: true }));
  }
  const targets = {
    'nginx return 200': { url: `http://127.0.0.1:${nginxPort}/`, amount: amounts.nginx },
    'express hello': { url: `http://127.0.0.1:${expressPort}/`, amount: amounts.express },
  };
  for (const { url } of Object.values(targets)) await until(url, async () => (await fetch(url)).status === 200, 10_000);
  return targets;
}

const cleanup = () => {
  for (const c of children.splice(0)) {
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {}
  }
};
async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'ecom-bench-tools-'));
  try {
    const targets = await startTargets(dir);
    console.log(
      `connections ${connections} · ${hasTaskset ? `tools on CPU ${TOOL_CPU}, targets on CPU ${TARGET_CPU}` : 'no CPU pinning (taskset missing or one CPU)'} · node ${process.version}`,
    );
    const results = {};
    for (const [name, { url, amount }] of Object.entries(targets)) {
      // Warm-up (JIT of the target, connection set-up paths); wrk's latest rate sizes its next duration.
      let wrkRate = (await wrkRun(url, 2)).rps;
      const wrkSeconds = [];
      const runs = { ecom: [], autocannon: [], wrk: [] };
      const tools = {
        ecom: () => ecomRun(url, amount),
        autocannon: () => autocannonRun(url, amount),
        wrk: async () => {
          wrkSeconds.push(Math.max(1, Math.round(amount / wrkRate)));
          const r = await wrkRun(url, wrkSeconds.at(-1));
          wrkRate = r.rps;
          return r;
        },
      };
      for (const order of [
        ['ecom', 'autocannon', 'wrk'],
        ['wrk', 'autocannon', 'ecom'],
      ]) {
        for (const tool of order) runs[tool].push(await tools[tool]());
      }
      const figures = Object.fromEntries(
        Object.entries(runs).map(([tool, rs]) => [
          tool,
          {
            requests: mean(rs.map((r) => r.requests)),
            rps: mean(rs.map((r) => r.rps)),
            p50: mean(rs.map((r) => r.p50)),
            cpuMsPer1kRequests: mean(rs.map((r) => (r.cpuMs / r.requests) * 1000)),
            errors: rs.reduce((a, r) => a + r.errors, 0),
            runs: rs,
          },
        ]),
      );
      const ecomVsAutocannon = figures.ecom.rps / figures.autocannon.rps;
      const ecomP50VsWrk = figures.ecom.p50 / figures.wrk.p50;
      results[name] = { url: url.replace(/:\d+/, ':PORT'), amount, wrkSeconds, ...figures, ecomVsAutocannon, ecomP50VsWrk };
      console.log(`\n${name} (N=${amount}, wrk ${wrkSeconds.join(' s, ')} s)`);
      for (const tool of ['ecom', 'autocannon', 'wrk']) {
        const f = figures[tool];
        console.log(
          `  ${tool.padEnd(10)} ${f.rps.toFixed(0).padStart(7)} req/s  p50 ${f.p50.toFixed(3)} ms  CPU ${f.cpuMsPer1kRequests.toFixed(1)} ms/1k req  requests ${f.requests.toFixed(0)}  errors ${f.errors}`,
        );
      }
      console.log(`  ecom/autocannon throughput ${ecomVsAutocannon.toFixed(2)} (goal ≥ 1.2: ${ecomVsAutocannon >= 1.2 ? 'met' : 'MISSED'})`);
      const within = Math.abs(ecomP50VsWrk - 1) <= 0.25;
      console.log(
        `  ecom p50 / wrk p50 ${ecomP50VsWrk.toFixed(2)}${name.startsWith('express') ? ` (goal within 25 %: ${within ? 'met' : 'MISSED'})` : ' (no goal on this target)'}`,
      );
    }
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(
      join(root, 'bench/results/overload-vs-tools.json'),
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, pinned: hasTaskset, connections, results }, null, 2)}\n`,
    );
    console.log('\nwrote bench/results/overload-vs-tools.json');
  } finally {
    cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

runBenchmark(main, cleanup);

// Benchmark: the load engine's own CPU per request against wrk's, on nginx `return 200`, in one run.
// ecom: the engine (dist/overload/run-load.js) in a child process, process.cpuUsage (user + system) from its first
// measured request to its final snapshot (set-up and connection opening excluded), and, beside it, the whole
// process's. wrk: one thread, the CPU of the wrk process itself read from /proc/<pid>/stat (utime + stime as its
// waiting parent bash sees them: cutime + cstime). Rounds alternate the order; medians, spreads and the machine
// load (1-minute load average before each round) are printed. With --profile DIR each ecom run writes a V8 CPU
// profile of its measured phase there (read it with bench/lib/top-of-profile.mjs). With --before DIST, a build of an
// earlier commit (its dist/ folder, next to a node_modules) runs as a further tool in every round: before and after
// in the same run.
// Not a test: a missed goal is printed, never an exit code.
// Usage: npm run build && node bench/overload-engine-cpu.mjs [rounds=5] [requests=200000] [connections=1000,50] [--profile DIR] [--before DIST]
// Writes bench/results/overload-engine-cpu.json.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { formatSpread as fmt, parseWrk, runBenchmark, spread, startReturn200Nginx } from './lib/bench-kit.mjs';

const run = promisify(execFile);
const self = fileURLToPath(import.meta.url);
const root = resolve(dirname(self), '..');

/** Child mode: runs the engine once and prints its figures as JSON. */
async function child(dist, url, amount, connections, profileFile) {
  const { runLoad } = await import(join(dist, 'overload/run-load.js'));
  const { targetScenario } = await import(join(dist, 'overload/build-scenario.js'));
  let session;
  if (profileFile) {
    const { Session } = await import('node:inspector');
    session = new Session();
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 500 });
  }
  let cpu0;
  let t0;
  const u = new URL(url);
  const snap = await runLoad({
    origin: u.origin,
    scenario: targetScenario({ method: 'GET', path: u.pathname, headers: {} }),
    concurrency: connections,
    requestCount: amount,
    timeoutMs: 10_000,
    workers: 1,
    onStart: () => {
      session?.post('Profiler.start');
      cpu0 = process.cpuUsage();
      t0 = performance.now();
    },
  });
  const used = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  if (session) {
    const profile = await new Promise((ok, fail) => session.post('Profiler.stop', (err, r) => (err ? fail(err) : ok(r.profile))));
    writeFileSync(profileFile, JSON.stringify(profile));
  }
  const whole = process.cpuUsage();
  process.stdout.write(
    JSON.stringify({
      requests: snap.completed,
      errors: snap.errors,
      rps: (snap.completed / wallMs) * 1000,
      p50: snap.latencyMs.p50,
      p99: snap.latencyMs.p99,
      cpuMs: (used.user + used.system) / 1000,
      sysMs: used.system / 1000,
      processCpuMs: (whole.user + whole.system) / 1000,
      saturated: snap.generator.saturated,
      generatorCpuPercent: snap.generator.cpuPercent,
    }),
  );
}

/** wrk, one thread; its CPU from /proc/<bash pid>/stat once bash has waited for it (cutime + cstime, clock ticks). */
async function wrkRun(url, seconds, connections) {
  const script = 'wrk "$@"; s=$?; read -r line < /proc/$$/stat; echo "STAT ${line##*) }"; exit $s';
  const { stdout } = await run('bash', ['-c', script, 'bash', '-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], {
    maxBuffer: 16 * 1024 * 1024,
  });
  // Fields after "(comm) ": state is field 3, so cutime (16) and cstime (17) are at 13 and 14 here.
  const fields = /STAT (.*)/.exec(stdout)[1].split(' ');
  const hz = 100;
  const cpuMs = ((Number(fields[13]) + Number(fields[14])) / hz) * 1000;
  const sysMs = (Number(fields[14]) / hz) * 1000;
  const { requests, rps, p50, p99 } = parseWrk(stdout);
  return { requests, rps, p50, p99, cpuMs, sysMs };
}

async function ecomRun(dist, url, amount, connections, profileFile) {
  const args = [self, '--child', dist, url, String(amount), String(connections), profileFile ?? ''];
  const { stdout } = await run(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout);
}

async function main(cleanups) {
  const flags = process.argv.slice(2);
  const p = flags.indexOf('--profile');
  const profileDir = p >= 0 ? resolve(flags.splice(p, 2)[1]) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const b = flags.indexOf('--before');
  const beforeDist = b >= 0 ? resolve(flags.splice(b, 2)[1]) : undefined;
  const engines = { ecom: join(root, 'dist'), ...(beforeDist ? { 'ecom before': beforeDist } : {}) };
  const rounds = Number(flags[0] ?? 5);
  const requests = Number(flags[1] ?? 200_000);
  const levels = (flags[2] ?? '1000,50').split(',').map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'ecom-bench-cpu-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const url = await startReturn200Nginx(dir, cleanups);
  console.log(`engine CPU vs wrk · nginx return 200 · ${rounds} rounds · ${requests} requests · ${cpus().length} CPUs · node ${process.version}`);
  const results = {};
  for (const connections of levels) {
    let wrkRate = (await wrkRun(url, 2, connections)).rps;
    const tools = [...Object.keys(engines), 'wrk'];
    const runs = { ...Object.fromEntries(tools.map((t) => [t, []])), load: [] };
    for (let round = 0; round < rounds; round++) {
      runs.load.push(loadavg()[0]);
      const order = round % 2 === 0 ? tools : [...tools].reverse();
      for (const tool of order) {
        const profileFile = profileDir && join(profileDir, `${tool.replace(' ', '-')}-c${connections}-r${round + 1}.cpuprofile`);
        const r =
          tool !== 'wrk'
            ? await ecomRun(engines[tool], url, requests, connections, profileFile)
            : await wrkRun(url, Math.min(20, Math.max(2, Math.round(requests / Math.max(1, wrkRate)))), connections);
        if (tool === 'wrk') wrkRate = r.rps;
        r.cpuMsPer1k = (r.cpuMs / r.requests) * 1000;
        runs[tool].push(r);
        const extra = tool !== 'wrk' ? `  whole process ${((r.processCpuMs / r.requests) * 1000).toFixed(2)}  saturated ${r.saturated}` : '';
        console.log(
          `  c=${connections} round ${round + 1} load ${runs.load.at(-1).toFixed(1)} ${tool.padEnd(11)} ${r.rps.toFixed(0).padStart(6)} req/s  p99 ${r.p99.toFixed(2)} ms  CPU ${r.cpuMsPer1k.toFixed(2)} ms/1k (system ${((r.sysMs / r.requests) * 1000).toFixed(2)})${extra}`,
        );
      }
    }
    const figures = (rs) => ({
      cpuMsPer1k: spread(rs.map((r) => r.cpuMsPer1k)),
      rps: spread(rs.map((r) => r.rps)),
      p99: spread(rs.map((r) => r.p99)),
      runs: rs,
    });
    results[connections] = { load: spread(runs.load), tools: Object.fromEntries(tools.map((t) => [t, figures(runs[t])])), ratios: {} };
    for (const engine of Object.keys(engines)) {
      const ratio = (f) => spread(runs[engine].map((e, i) => f(e, runs.wrk[i])));
      results[connections].ratios[engine] = {
        cpu: ratio((e, w) => e.cpuMsPer1k / w.cpuMsPer1k),
        rps: ratio((e, w) => e.rps / w.rps),
        p99: ratio((e, w) => e.p99 / w.p99),
      };
    }
  }
  console.log('');
  for (const [c, r] of Object.entries(results)) {
    console.log(`${c} connections (1-minute load average ${fmt(r.load, 1)}), median (min–max):`);
    for (const [tool, f] of Object.entries(r.tools)) {
      console.log(`  ${tool.padEnd(11)} CPU ${fmt(f.cpuMsPer1k, 2)} ms/1k requests · ${fmt(f.rps)} req/s · p99 ${fmt(f.p99, 1)} ms`);
    }
    for (const [engine, q] of Object.entries(r.ratios)) {
      const verdict = q.cpu.median <= 1.5 ? 'met' : 'MISSED';
      console.log(`  ${engine} ÷ wrk: CPU/request ${fmt(q.cpu, 2)} (goal ≤ 1.5: ${verdict}) · throughput ${fmt(q.rps, 2)} · p99 ${fmt(q.p99, 2)}`);
    }
  }
  const out = join(root, 'bench/results/overload-engine-cpu.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, results }, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
}

if (process.argv[2] === '--child') {
  const [, , , dist, url, amount, connections, profileFile] = process.argv;
  await child(dist, url, Number(amount), Number(connections), profileFile || undefined);
  process.exit(0);
} else {
  const cleanups = [];
  runBenchmark(
    () => main(cleanups),
    async () => {
      for (const c of cleanups.splice(0).reverse()) {
        try {
          await c();
        } catch {}
      }
    },
  );
}

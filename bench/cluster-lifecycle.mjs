// Benchmark: cold `ecom up -d` until the gateway serves, the idle memory of every process, `kill -9` of a product
// instance until a replacement is healthy and routed again, and `ecom down`. Runs both the source build
// (`node dist/cli/main.js`) and the single executable (`dist/ecom`, built if stale) in alternating rounds against a
// cluster file with free ports in a temp dir, and prints medians of each against the goals. Not a test: it never
// fails on a missed goal. Also: one service instance alone, exec → healthy and registered (wall time and the CPU it
// spent), on the cluster at rest and again right after a checkout burst, and
// `ecom scale product=12` from 2 until every new instance is healthy and routed (the command returns then).
// The binary's first run after a build (no code cache yet) is timed apart, before the rounds.
// Usage: npm run build && node bench/cluster-lifecycle.mjs [rounds]
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, until, median, runBenchmark, writeBenchCluster } from './lib/bench-kit.mjs';
import { childEnv } from '../dist/cluster/child-env.js';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] ?? 3);
/** How each build is run: the source build through node, the single executable as itself. */
const builds = {
  source: { command: process.execPath, prefix: [join(root, 'dist/cli/main.js')] },
  binary: { command: join(root, 'dist/ecom'), prefix: [] },
};
const GOALS = {
  upMs: 1000,
  downMs: 500,
  killToRoutedMs: 500,
  instanceStartMs: 150,
  scaleTo12Ms: 1500,
  serviceRssMb: 80,
  clusterRssMb: 500,
  checkoutPeakRssMb: 200,
};

/** Resident memory of a pid in MB (0 when it is gone). */
const rssMb = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
};

async function clusterFile(dir) {
  const file = join(dir, 'config.json');
  const { gateway, iscs } = await writeBenchCluster(file, { product: [1, 2], user: [3], logger: [4], order: [5] });
  return { file, gateway, iscsPort: iscs };
}

/** Proportional set size of a pid in MB: its private pages plus its share of pages it shares (0 when it is gone). */
const pssMb = (pid) => {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
};

let ecom;

/** CPU time (user + system) a live pid has used, in ms. */
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

/**
 * One product instance run by hand, registered with the cluster's registry, from exec until its /health answers and
 * the registry lists it: wall ms to each, and CPU ms until registered. The registry is watched with its long poll (no
 * request of ours in between), the instance's /health polled every millisecond (a refused connection costs it nothing,
 * and a coarser poll adds its own wait). Stopped with SIGTERM, so it leaves the registry before the next step.
 */
async function instanceStart(build, file, iscsPort) {
  const port = await freePort();
  const listing = async (query = '') => (await fetch(`http://127.0.0.1:${iscsPort}/v1/services${query}`)).json();
  const { index } = await listing();
  const t = performance.now();
  // The environment the supervisor gives its instances (CHILD_ENV): same heap flags, same code cache.
  const child = spawn(build.command, [...build.prefix, 'service', 'start', 'product', '--id', '99', '--port', String(port), '-c', file], {
    stdio: 'ignore',
    env: { ...process.env, ...childEnv() },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const registered = (async () => {
      for (let seen = index; ;) {
        const now = await listing(`?index=${seen}&wait=5s`);
        if (now.services.product?.some((i) => i.id === 99)) return { ms: performance.now() - t, cpu: cpuMs(child.pid) };
        seen = now.index;
      }
    })();
    await until('the instance to answer', async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.status === 200, 20_000, 1);
    const healthyMs = performance.now() - t;
    const done = await Promise.race([registered, new Promise((_, reject) => setTimeout(() => reject(new Error('product-99 never registered')), 20_000))]);
    return { healthyMs, ms: Math.max(healthyMs, done.ms), cpu: done.cpu };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** A reader of the gateway's peer table: GET /stats on the Lua balancer's admin port with the cluster token. */
function gatewayStats(dir) {
  const port = readFileSync(join(dir, 'state/nginx/admin-port'), 'utf8').trim();
  const { clusterToken } = JSON.parse(readFileSync(join(dir, 'state/credentials.json'), 'utf8'));
  return async () => (await fetch(`http://127.0.0.1:${port}/stats`, { headers: { authorization: `Bearer ${clusterToken}` } })).json();
}

async function getStatus(file) {
  const { stdout } = await ecom('status', '--json', '-c', file);
  return JSON.parse(stdout);
}

/**
 * The binary's first run after a build has no V8 code cache: each role writes its own after its first 3 s or when
 * it exits. So before the rounds: one cold `up -d` with an empty cache directory, timed on its own (what a user's
 * very first `ecom up` costs), then one untimed cycle of every command a round runs, so that each round measures
 * what a user sees from the second run on (not a mix, depending on which round came first).
 */
async function firstRunThenWarm() {
  const binary = builds.binary;
  const dirs = [mkdtempSync(join(tmpdir(), 'ecom-bench-life-')), mkdtempSync(join(tmpdir(), 'ecom-bench-cache-'))];
  const cli =
    (env) =>
    (...args) =>
      run(binary.command, [...binary.prefix, ...args], { maxBuffer: 10 * 1024 * 1024, env: { ...process.env, ...env } });
  try {
    const { file, gateway } = await clusterFile(dirs[0]);
    const cold = cli({ XDG_CACHE_HOME: dirs[1] });
    const t = performance.now();
    await cold('up', '-d', '-c', file);
    await until('the gateway to serve', async () => (await fetch(`http://127.0.0.1:${gateway}/api/products`).catch(() => undefined))?.status === 200);
    const firstUpMs = performance.now() - t;
    await cold('down', '-c', file);
    const warm = cli({});
    await warm('up', '-d', '-c', file);
    await new Promise((r) => setTimeout(r, 3500));
    await warm('status', '--json', '-c', file);
    await warm('seed', '--products', '20', '-c', file);
    await warm('overload', '--scenario', 'checkout', '--concurrency', '4', '--request_count', '50', '-c', file);
    await warm('scale', 'product=3', '-c', file);
    await warm('down', '-c', file);
    return firstUpMs;
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** The supervisor daemon's pid, from its pid file (`<pid> <start time>`). */
const daemonPidOf = (dir) => Number.parseInt(readFileSync(join(dir, 'state/pids/daemon.pid'), 'utf8'), 10);

/**
 * One reading of a running cluster's memory by `measure` (rssMb or pssMb): the median over its service instances, and
 * the sum over every process it runs, the daemon included.
 */
function clusterMemory(dir, status, measure) {
  const daemonPid = daemonPidOf(dir);
  const services = status.processes.filter((p) => ['product', 'user', 'order', 'logger'].includes(p.service));
  return { service: median(services.map((p) => measure(p.pid))), cluster: status.processes.reduce((sum, p) => sum + measure(p.pid), measure(daemonPid)) };
}

/** How long an untouched cluster is left before its settled memory is read. */
const SETTLE_MS = 30_000;

/**
 * The memory of an untouched cluster once it has settled: read SETTLE_MS after `up -d`. A node process holds the heap
 * pages its start-up used until V8's memory reducer, which acts on a process that has stopped allocating, gives them
 * back: 15-20 s after start in some runs here, later in others. The rounds read memory 2 s after up.
 */
async function settledMemory() {
  const dir = mkdtempSync(join(tmpdir(), 'ecom-bench-idle-'));
  const { file, gateway } = await clusterFile(dir);
  try {
    await ecom('up', '-d', '-c', file);
    await until('the gateway to serve', async () => (await fetch(`http://127.0.0.1:${gateway}/api/products`).catch(() => undefined))?.status === 200);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const rss = clusterMemory(dir, await getStatus(file), rssMb);
    return { serviceRssMb: Math.round(rss.service), clusterRssMb: Math.round(rss.cluster) };
  } finally {
    await ecom('down', '-c', file).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  execFileSync(process.execPath, [join(root, 'scripts/build-binary.mjs'), '--if-stale'], { stdio: 'inherit' });
  const firstUpMs = await firstRunThenWarm();
  console.log(`binary, first cold up -d → gateway serving with an empty code cache: ${firstUpMs.toFixed(0)} ms (not in the medians)`);
  const all = {};
  for (let round = 1; round <= rounds * 2; round++) {
    const name = round % 2 ? 'source' : 'binary';
    const build = builds[name];
    ecom = (...args) => run(build.command, [...build.prefix, ...args], { maxBuffer: 10 * 1024 * 1024 });
    const results = (all[name] ??= {
      upMs: [],
      downMs: [],
      replaceMs: [],
      instanceMs: [],
      instanceHealthyMs: [],
      instanceCpuMs: [],
      instanceAfterBurstMs: [],
      scaleMs: [],
      serviceRssMb: [],
      clusterRssMb: [],
      servicePssMb: [],
      clusterPssMb: [],
      checkoutPeakRssMb: [],
    });
    const dir = mkdtempSync(join(tmpdir(), 'ecom-bench-life-'));
    mkdirSync(dir, { recursive: true });
    const { file, gateway, iscsPort } = await clusterFile(dir);
    try {
      let t = performance.now();
      await ecom('up', '-d', '-c', file);
      await until('the gateway to serve', async () => (await fetch(`http://127.0.0.1:${gateway}/api/products`).catch(() => undefined))?.status === 200);
      results.upMs.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 2000));
      const status = await getStatus(file);
      const rss = clusterMemory(dir, status, rssMb);
      const pss = clusterMemory(dir, status, pssMb);
      results.serviceRssMb.push(rss.service);
      results.clusterRssMb.push(rss.cluster);
      results.servicePssMb.push(pss.service);
      results.clusterPssMb.push(pss.cluster);

      const before = (await getStatus(file)).processes.find((p) => p.service === 'product' && p.id === 1);
      const stats = gatewayStats(dir);
      t = performance.now();
      process.kill(before.pid, 'SIGKILL');
      // Watched without `ecom status` (each call is a whole CLI process, and a peer check in the daemon: polling it
      // would take the CPU the replacement needs): the pid file, the replacement's /health, and the gateway's own
      // peer table (its admin /stats), where product-1 must first disappear (taken out on the kill) and come back.
      let gone = false;
      await until(
        'product-1 to be replaced and routed',
        async () => {
          const peers = (await stats().catch(() => undefined))?.peers;
          const listed = peers?.find((p) => p.service === 'product' && p.id === 1 && !p.ejected);
          if (peers && !listed) gone = true;
          if (!gone || !listed) return false;
          const pid = Number.parseInt(readFileSync(join(dir, 'state/pids/product-1.pid'), 'utf8'), 10);
          if (pid === before.pid) return false;
          return (await fetch(`http://127.0.0.1:${before.port}/health`).catch(() => undefined))?.status === 200;
        },
        20_000,
        2,
      );
      results.replaceMs.push(performance.now() - t);

      // One instance's own start, on this cluster at rest (a second after the replacement was routed).
      await new Promise((r) => setTimeout(r, 1000));
      const alone = await instanceStart(build, file, iscsPort);
      results.instanceMs.push(alone.ms);
      results.instanceHealthyMs.push(alone.healthyMs);
      results.instanceCpuMs.push(alone.cpu);

      // Under the checkout scenario: the largest RSS any process of the cluster reaches (sampled every 100 ms).
      await ecom('seed', '--products', '200', '-c', file);
      const running = (await getStatus(file)).processes;
      const pids = [daemonPidOf(dir), ...running.map((p) => p.pid)];
      let peak = { mb: 0, name: '' };
      const names = new Map(running.map((p) => [p.pid, p.id === null ? p.service : `${p.service}-${p.id}`]));
      const sampler = setInterval(() => {
        for (const pid of pids) {
          const mb = rssMb(pid);
          if (mb > peak.mb) peak = { mb, name: names.get(pid) ?? 'daemon' };
        }
      }, 100);
      try {
        await ecom('overload', '--scenario', 'checkout', '--concurrency', '32', '--request_count', '3000', '-c', file);
      } finally {
        clearInterval(sampler);
      }
      results.checkoutPeakRssMb.push(peak.mb);
      results.checkoutPeakName = peak.name;

      // The same right after the checkout burst, while the cluster still works through its events and logs.
      results.instanceAfterBurstMs.push((await instanceStart(build, file, iscsPort)).ms);

      t = performance.now();
      await ecom('scale', 'product=12', '-c', file);
      results.scaleMs.push(performance.now() - t);

      t = performance.now();
      await ecom('down', '-c', file);
      results.downMs.push(performance.now() - t);
      console.log(
        `round ${round} (${name}): up ${results.upMs.at(-1).toFixed(0)} ms, service RSS ${results.serviceRssMb.at(-1).toFixed(0)} MB (PSS ${results.servicePssMb.at(-1).toFixed(0)}), cluster RSS ${results.clusterRssMb.at(-1).toFixed(0)} MB (PSS ${results.clusterPssMb.at(-1).toFixed(0)}), checkout peak RSS ${results.checkoutPeakRssMb.at(-1).toFixed(0)} MB (${results.checkoutPeakName}), kill -9 → routed ${results.replaceMs.at(-1).toFixed(0)} ms, instance alone ${results.instanceMs.at(-1).toFixed(0)} ms (healthy ${results.instanceHealthyMs.at(-1).toFixed(0)}, cpu ${results.instanceCpuMs.at(-1)} ms; after the burst ${results.instanceAfterBurstMs.at(-1).toFixed(0)} ms), scale 2→12 ${results.scaleMs.at(-1).toFixed(0)} ms, down ${results.downMs.at(-1).toFixed(0)} ms`,
      );
    } finally {
      await ecom('down', '-c', file).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const settled = {};
  for (const [name, build] of Object.entries(builds)) {
    ecom = (...args) => run(build.command, [...build.prefix, ...args], { maxBuffer: 10 * 1024 * 1024 });
    settled[name] = await settledMemory();
    console.log(
      `${name}: idle cluster ${SETTLE_MS / 1000} s after up: service RSS ${settled[name].serviceRssMb} MB, cluster RSS ${settled[name].clusterRssMb} MB`,
    );
  }
  const summary = {};
  for (const [name, r] of Object.entries(all)) {
    summary[name] = {
      upMs: Math.round(median(r.upMs)),
      downMs: Math.round(median(r.downMs)),
      killToRoutedMs: Math.round(median(r.replaceMs)),
      instanceStartMs: Math.round(median(r.instanceMs)),
      instanceHealthyMs: Math.round(median(r.instanceHealthyMs)),
      instanceStartCpuMs: Math.round(median(r.instanceCpuMs)),
      instanceAfterBurstMs: Math.round(median(r.instanceAfterBurstMs)),
      scaleTo12Ms: Math.round(median(r.scaleMs)),
      serviceRssMb: Math.round(median(r.serviceRssMb)),
      clusterRssMb: Math.round(median(r.clusterRssMb)),
      servicePssMb: Math.round(median(r.servicePssMb)),
      clusterPssMb: Math.round(median(r.clusterPssMb)),
      checkoutPeakRssMb: Math.round(median(r.checkoutPeakRssMb)),
      settledServiceRssMb: settled[name].serviceRssMb,
      settledClusterRssMb: settled[name].clusterRssMb,
    };
  }
  console.log('\nmedians over %d rounds each (goal; source ÷ goal, binary ÷ goal)', rounds);
  const label = {
    upMs: 'cold up -d → gateway serving (ms)',
    downMs: 'down (ms)',
    killToRoutedMs: 'kill -9 → replaced and routed (ms)',
    instanceStartMs: 'one instance exec → healthy and registered (ms)',
    scaleTo12Ms: 'scale product 2 → 12, all routed (ms)',
    serviceRssMb: 'RSS per service instance, 2 s after up (MB)',
    clusterRssMb: 'RSS of the whole cluster, 2 s after up (MB)',
    settledServiceRssMb: `idle RSS per service instance, ${SETTLE_MS / 1000} s after up (MB)`,
    settledClusterRssMb: `idle RSS of the whole cluster, ${SETTLE_MS / 1000} s after up (MB)`,
    checkoutPeakRssMb: 'largest RSS under checkout (MB)',
  };
  const goalOf = { ...GOALS, settledServiceRssMb: GOALS.serviceRssMb, settledClusterRssMb: GOALS.clusterRssMb };
  for (const key of Object.keys(label)) {
    const [src, bin] = [summary.source?.[key], summary.binary?.[key]];
    console.log(
      `  ${label[key].padEnd(52)} source ${src}  binary ${bin}  (goal ≤ ${goalOf[key]}; ${(src / goalOf[key]).toFixed(2)}, ${(bin / goalOf[key]).toFixed(2)})`,
    );
  }
  console.log(
    `  (that instance: healthy at source ${summary.source?.instanceHealthyMs} ms, binary ${summary.binary?.instanceHealthyMs} ms; CPU until registered: source ${summary.source?.instanceStartCpuMs} ms, binary ${summary.binary?.instanceStartCpuMs} ms; started right after 3,000 checkouts instead: source ${summary.source?.instanceAfterBurstMs} ms, binary ${summary.binary?.instanceAfterBurstMs} ms)`,
  );
  // RSS counts every page a process maps, shared ones in full in each process (node's own code, the executable);
  // PSS splits shared pages among the processes sharing them, so the cluster's PSS is the memory it really holds.
  console.log(
    `  (PSS per service instance: source ${summary.source?.servicePssMb} MB, binary ${summary.binary?.servicePssMb} MB; whole cluster: source ${summary.source?.clusterPssMb} MB, binary ${summary.binary?.clusterPssMb} MB)`,
  );
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(
    join(root, 'bench/results/cluster-lifecycle.json'),
    JSON.stringify({ rounds, firstUpMs: Math.round(firstUpMs), samples: all, settled, median: summary, goals: GOALS }, null, 2),
  );
}

runBenchmark(main);

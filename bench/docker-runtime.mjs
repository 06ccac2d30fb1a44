// Benchmark: the docker runtime (issue 12), each figure beside the process runtime measured in the same run on the
// same cluster file. Per round and runtime: cold `ecom up -d` (images present) until the gateway serves (looked for
// every 20 ms beside the command, from its start); a kill of a
// product instance (`docker kill` of its container; `kill -9` of its process) until it is replaced and routed (the
// gateway answers from the new product-1), with a GET loop counting failed requests meanwhile; `ecom down` and what
// it left (containers, networks). Then gateway throughput (wrk) on both runtimes: a microcached product GET and an
// uncached one (signed in: nginx passes it to an instance). Both gateways are nginx listening on 127.0.0.1:<port>
// itself (the docker runtime's nginx container uses the host's network), so wrk takes the same path to both; the
// uncached GET then crosses the cluster's bridge network to a container (docker) or loopback to a process.
// Both clusters run during the throughput part, measured in turn (pairs under nearly the same load). Last, swarm: `ecom deploy swarm` until the gateway serves and until every kind is routed, and `ecom undeploy`.
// Each lifecycle figure comes with its steps, read back from the cluster's logs (bench/lib/read-cluster-steps.mjs;
// the engine's own with ECOM_DOCKER_TIMINGS=1, which the bench sets). Every figure carries the load average when it was taken. Engine: ECOM_TEST_DOCKER_HOST, else a private dockerd
// started here (scripts/start-test-dockerd.sh) and stopped at the end. Not a test: it never fails on a missed goal.
// Usage: npm run build && [PARTS=lifecycle,throughput,swarm] node bench/docker-runtime.mjs [rounds] [wrkSeconds]
// (PARTS: which parts run, all by default; a part left out reports n/a.)
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { median, runBenchmark, sleep, until, writeBenchCluster } from './lib/bench-kit.mjs';
import { downSteps, formatSteps, killSteps, upSteps } from './lib/read-cluster-steps.mjs';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] ?? 3);
const wrkSeconds = Number(process.argv[3] ?? 5);
const PARTS = new Set((process.env.PARTS ?? 'lifecycle,throughput,swarm').split(','));
const GOALS = { upMs: 3000, killToRoutedMs: 1500, downMs: 2000, throughputRatio: 0.8, swarmUpMs: 6000 };
// Every engine step in the daemon's log (ECOM_DOCKER_TIMINGS=1), read back for the per-step figures.
const ecom = (...args) =>
  run(process.execPath, [join(root, 'dist/cli/main.js'), ...args], { maxBuffer: 10 * 1024 * 1024, env: { ...process.env, ECOM_DOCKER_TIMINGS: '1' } });
const load = () => loadavg()[0].toFixed(1);
let ownEngine;
let ownSwarm = false;
let docker;
const dirs = [];

async function engineSocket() {
  if (process.env.ECOM_TEST_DOCKER_HOST) return process.env.ECOM_TEST_DOCKER_HOST.replace(/^unix:\/\//, '');
  ownEngine = mkdtempSync('/tmp/ecom-bench-dk-');
  await run('bash', [join(root, 'scripts/start-test-dockerd.sh'), ownEngine]);
  return `${ownEngine}/docker.sock`;
}

async function clusterFile(socket, runtime) {
  const dir = mkdtempSync(join(tmpdir(), 'ecom-bench-docker-'));
  dirs.push(dir);
  const file = join(dir, 'config.json');
  const { gateway } = await writeBenchCluster(file, { product: [1, 2], user: [3], logger: [4], order: [5] });
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), runtime, docker: { socket } }));
  return { dir, file, gateway, stateDir: join(dir, 'state') };
}

/**
 * Looks every 20 ms, from now on, whether the gateway answers a product listing with 200; resolves with when it first
 * did (ms after `t`). Runs beside the command that brings the cluster up, so "serving" is when the gateway served,
 * not when the command had also printed its summary.
 */
function firstServed(gateway, t) {
  const url = `http://127.0.0.1:${gateway}/api/products?limit=1`;
  let stopped = false;
  const check = async () =>
    stopped || (await fetch(url, { signal: AbortSignal.timeout(1000) }).catch(() => undefined))?.status === 200 ? performance.now() - t : 0;
  const at = until('the gateway to serve', check, 120_000, 20);
  // A command that failed stops the looking (its round is reported as failed); the promise never rejects unseen.
  at.catch(() => undefined);
  return { at, stop: () => void (stopped = true) };
}

/** GETs in a loop (4 at a time) until stopped; counts answers that are not 200. */
function getLoop(url) {
  let running = true;
  const counts = { total: 0, failed: 0, reasons: [] };
  const worker = async () => {
    while (running) {
      // A kept-alive connection nginx closed on reload fails before any answer: sent again once, as clients may.
      let res = await fetch(url, { signal: AbortSignal.timeout(5000) }).catch((err) => err);
      if (res instanceof Error && res.name !== 'TimeoutError') res = await fetch(url, { signal: AbortSignal.timeout(5000) }).catch((err) => err);
      counts.total++;
      if (res instanceof Error || res.status !== 200) {
        counts.failed++;
        counts.reasons.push(res instanceof Error ? (res.cause?.code ?? res.name) : `HTTP ${res.status}`);
      } else await res.body?.cancel();
    }
  };
  const workers = Array.from({ length: 4 }, worker);
  return async () => {
    running = false;
    await Promise.all(workers);
    return counts;
  };
}

async function wrk(url, headers = []) {
  const { stdout } = await run('wrk', ['-t2', '-c32', `-d${wrkSeconds}s`, ...headers.flatMap((h) => ['-H', h]), url]);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0);
}

/** The gateway answers a request of every kind from an instance (its own 401 counts: routed). */
async function everyKindRouted(gateway) {
  for (const path of ['/api/products?limit=1', '/api/users/me', '/api/orders', '/api/logs']) {
    const res = await fetch(`http://127.0.0.1:${gateway}${path}`).catch(() => undefined);
    if (!res?.headers.get('x-instance-id')) return false;
  }
  return true;
}

const productOne = async (file) => JSON.parse((await ecom('status', '--json', '-c', file)).stdout).processes.find((p) => p.service === 'product' && p.id === 1);

/** Kills product-1 the way its runtime would lose it: the container (docker kill) or the process (SIGKILL). */
async function killProductOne(runtime, stateDir, pid) {
  if (runtime === 'process') return process.kill(pid, 'SIGKILL');
  const victim = (await docker.listContainers({ filters: { name: ['-product-1'] } })).find((c) => c.Names.some((n) => n.endsWith('-product-1')));
  await docker.getContainer(victim.Id).kill();
}

/** One round on one runtime: cold up → serving, kill → replaced and routed (and marked healthy), down. */
async function lifecycleRound(socket, runtime, r) {
  const { file, gateway, stateDir } = await clusterFile(socket, runtime);
  try {
    r.load.push(load());
    let t = performance.now();
    let wall = Date.now();
    const served = firstServed(gateway, t);
    await ecom('up', '-d', '-c', file).catch((err) => {
      served.stop();
      throw err;
    });
    const upReturned = performance.now() - t;
    r.upMs.push(await served.at);
    r.upSteps.push({ ...upSteps(stateDir, wall), upReturned, serving: r.upMs.at(-1) });
    await sleep(1000);
    const before = await productOne(file);
    const stopLoop = getLoop(`http://127.0.0.1:${gateway}/api/products?limit=1`);
    await sleep(300);
    t = performance.now();
    wall = Date.now();
    await killProductOne(runtime, stateDir, before.pid);
    let routedAt;
    await until(
      'product-1 replaced and routed',
      async () => {
        if (routedAt === undefined) {
          const res = await fetch(`http://127.0.0.1:${gateway}/api/products`, { headers: { authorization: 'Bearer bench' } });
          // Routed when this answer came, not once `ecom status` (a CLI run) confirmed it is a new product-1.
          const answeredAt = performance.now();
          if (res.headers.get('x-instance-id') !== 'product-1') return false;
          const now = await productOne(file);
          if (now.restarts <= before.restarts) return false;
          routedAt = answeredAt;
        }
        return (await productOne(file)).health === 'healthy';
      },
      60_000,
      10,
    );
    r.killToRoutedMs.push(routedAt - t);
    r.killToHealthyMs.push(performance.now() - t);
    r.killSteps.push({ ...killSteps(stateDir, 'product-1', wall), routed: routedAt - t });
    const gets = await stopLoop();
    r.failedGets.push(gets.failed);
    if (gets.failed) console.log(`  ${runtime}: failed GETs: ${[...new Set(gets.reasons)].join(', ')}`);
    t = performance.now();
    wall = Date.now();
    await ecom('down', '-c', file);
    r.downMs.push(performance.now() - t);
    r.downSteps.push({ ...downSteps(stateDir, wall), downReturned: r.downMs.at(-1) });
    if (runtime === 'docker') {
      r.leftContainers.push((await docker.listContainers({ all: true, filters: { label: ['io.ecom.cluster'] } })).length);
      r.leftNetworks.push((await docker.listNetworks({ filters: { label: ['io.ecom.cluster'] } })).length);
    }
    const last = (k) => r[k].at(-1).toFixed(0);
    console.log(
      `${runtime.padEnd(7)} load ${r.load.at(-1)}: up ${last('upMs')} ms, kill → routed ${last('killToRoutedMs')} ms (healthy in status ${last('killToHealthyMs')} ms, ${r.failedGets.at(-1)} failed GETs), down ${last('downMs')} ms` +
        (runtime === 'docker' ? `, left ${r.leftContainers.at(-1)} containers / ${r.leftNetworks.at(-1)} networks` : ''),
    );
    console.log(`          up:   ${formatSteps(r.upSteps.at(-1))}`);
    console.log(`          kill: ${formatSteps(r.killSteps.at(-1))}`);
    console.log(`          down: ${formatSteps(r.downSteps.at(-1))}`);
  } catch (err) {
    // A loaded machine can make a start miss the supervisor's 20 s: the round is reported, the others still run.
    r.failedRounds.push(`${runtime}: ${String(err.stderr ?? err.message).split('\n')[0]}`);
    console.log(`  round failed: ${r.failedRounds.at(-1)}`);
  } finally {
    await ecom('down', '-c', file).catch(() => undefined);
  }
}

/** A cluster up and seeded for wrk, with an admin token for uncached (signed-in) GETs. */
async function wrkCluster(socket, runtime) {
  const c = await clusterFile(socket, runtime);
  await ecom('up', '-d', '-c', c.file).catch(() => ecom('up', '-d', '-c', c.file));
  await ecom('seed', '--products', '10', '--users', '1', '-c', c.file);
  const { admin } = JSON.parse(readFileSync(join(c.stateDir, 'credentials.json'), 'utf8'));
  const login = await fetch(`http://127.0.0.1:${c.gateway}/api/users/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(admin),
  });
  return { ...c, auth: `Authorization: Bearer ${(await login.json()).token}`, url: `http://127.0.0.1:${c.gateway}/api/products/1` };
}

/**
 * Both clusters up at once, wrk against each in turn (docker, process, docker, ...), so each pair of figures is
 * taken under nearly the same load from the rest of the machine; the ratio reported is the median of the pairs.
 */
async function throughput(socket, tp) {
  const clusters = { docker: await wrkCluster(socket, 'docker'), process: await wrkCluster(socket, 'process') };
  try {
    for (const c of Object.values(clusters)) await wrk(c.url); // warm-up
    for (const kind of ['cached', 'uncached']) {
      for (let pair = 0; pair < rounds; pair++) {
        const measured = {};
        for (const runtime of ['docker', 'process']) {
          const c = clusters[runtime];
          measured[runtime] = { rps: await wrk(c.url, kind === 'uncached' ? [c.auth] : []), load: load() };
          tp[kind][runtime].push(measured[runtime]);
        }
        tp[kind].ratio.push(measured.docker.rps / measured.process.rps);
        console.log(
          `wrk ${kind.padEnd(8)} docker ${measured.docker.rps.toFixed(0)} req/s (load ${measured.docker.load}), process ${measured.process.rps.toFixed(0)} req/s (load ${measured.process.load}): ${tp[kind].ratio.at(-1).toFixed(2)}`,
        );
      }
    }
  } finally {
    for (const c of Object.values(clusters)) await ecom('down', '-c', c.file).catch(() => undefined);
  }
}

async function swarmRound(socket, s) {
  const info = await docker.info();
  if (info.Swarm?.LocalNodeState !== 'active') {
    await docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1', DefaultAddrPool: ['198.19.0.0/16'], SubnetSize: 24 });
    ownSwarm = true;
  }
  const { file, gateway } = await clusterFile(socket, 'docker');
  try {
    s.load.push(load());
    const t = performance.now();
    const served = firstServed(gateway, t);
    await ecom('deploy', 'swarm', '-c', file).catch((err) => {
      served.stop();
      throw err;
    });
    s.returnedMs.push(performance.now() - t);
    s.upMs.push(await served.at);
    await until('every kind routed through the stack gateway', () => everyKindRouted(gateway), 60_000);
    s.allRoutedMs.push(performance.now() - t);
    const t2 = performance.now();
    await ecom('undeploy', '-c', file);
    s.undeployMs.push(performance.now() - t2);
    console.log(
      `swarm   load ${s.load.at(-1)}: deploy → serving ${s.upMs.at(-1).toFixed(0)} ms (the command returned at ${s.returnedMs.at(-1).toFixed(0)} ms), every kind routed ${s.allRoutedMs.at(-1).toFixed(0)} ms, undeploy ${s.undeployMs.at(-1).toFixed(0)} ms`,
    );
  } catch (err) {
    s.failedRounds.push(String(err.stderr ?? err.message).split('\n')[0]);
    console.log(`  swarm round failed: ${s.failedRounds.at(-1)}`);
  } finally {
    await ecom('undeploy', '-c', file).catch(() => undefined);
  }
}

/** The median of each step over the rounds that have it. */
const medianSteps = (list) =>
  Object.fromEntries([...new Set(list.flatMap(Object.keys))].map((k) => [k, median(list.map((s) => s[k]).filter((v) => v !== undefined))]));

const spread = (values) => (values.length ? `${Math.round(median(values))} (${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))})` : 'n/a');

async function main() {
  const socket = await engineSocket();
  docker = new Docker({ socketPath: socket });
  const first = await clusterFile(socket, 'docker');
  console.log('building images (once)...');
  await ecom('image', 'build', '-c', first.file);
  const empty = () => ({
    load: [],
    upMs: [],
    killToRoutedMs: [],
    killToHealthyMs: [],
    failedGets: [],
    downMs: [],
    leftContainers: [],
    leftNetworks: [],
    failedRounds: [],
    upSteps: [],
    killSteps: [],
    downSteps: [],
  });
  const r = { docker: empty(), process: empty() };
  for (let round = 1; round <= rounds && PARTS.has('lifecycle'); round++) {
    console.log(`round ${round}`);
    await lifecycleRound(socket, 'docker', r.docker);
    await lifecycleRound(socket, 'process', r.process);
  }
  const pairs = () => ({ docker: [], process: [], ratio: [] });
  const tp = { cached: pairs(), uncached: pairs() };
  if (PARTS.has('throughput')) await throughput(socket, tp);
  const s = { load: [], upMs: [], returnedMs: [], allRoutedMs: [], undeployMs: [], failedRounds: [] };
  for (let round = 1; round <= rounds && PARTS.has('swarm'); round++) await swarmRound(socket, s);
  const ratio = (k) => (tp[k].ratio.length ? Number(median(tp[k].ratio).toFixed(2)) : 'n/a');
  const rps = (k, runtime) => spread(tp[k][runtime].map((m) => m.rps));
  const ratios = (k) => tp[k].ratio.map((x) => x.toFixed(2)).join(', ');
  const loads = [...r.docker.load, ...r.process.load, ...s.load].map(Number);
  console.log(`\nmedian (min–max) over ${rounds} rounds, load average ${Math.min(...loads)}–${Math.max(...loads)}; goal; process runtime in the same run`);
  console.log(`  cold up -d → serving          ${spread(r.docker.upMs)} ms (≤ ${GOALS.upMs}); process ${spread(r.process.upMs)} ms`);
  console.log(
    `  kill → replaced and routed    ${spread(r.docker.killToRoutedMs)} ms, ${Math.max(0, ...r.docker.failedGets)} failed GETs at most (≤ ${GOALS.killToRoutedMs}, 0); process ${spread(r.process.killToRoutedMs)} ms`,
  );
  console.log(`  kill → healthy in status      ${spread(r.docker.killToHealthyMs)} ms; process ${spread(r.process.killToHealthyMs)} ms`);
  console.log(
    `  down                          ${spread(r.docker.downMs)} ms, left ${Math.max(0, ...r.docker.leftContainers)} containers, ${Math.max(0, ...r.docker.leftNetworks)} networks (≤ ${GOALS.downMs}, 0, 0); process ${spread(r.process.downMs)} ms`,
  );
  for (const runtime of ['docker', 'process']) {
    for (const kind of ['upSteps', 'killSteps', 'downSteps'])
      console.log(`  ${runtime.padEnd(7)} ${kind.padEnd(9)} (medians) ${formatSteps(medianSteps(r[runtime][kind]))}`);
  }
  console.log(
    `  gateway throughput, cached    docker ${rps('cached', 'docker')} ÷ process ${rps('cached', 'process')} req/s: ${ratio('cached')} (pairs ${ratios('cached')}; ≥ ${GOALS.throughputRatio})`,
  );
  console.log(
    `  gateway throughput, uncached  docker ${rps('uncached', 'docker')} ÷ process ${rps('uncached', 'process')} req/s: ${ratio('uncached')} (pairs ${ratios('uncached')})`,
  );
  console.log(
    `  swarm deploy → serving        ${spread(s.upMs)} ms (≤ ${GOALS.swarmUpMs}; the command returned ${spread(s.returnedMs)} ms); every kind routed ${spread(s.allRoutedMs)} ms; undeploy ${spread(s.undeployMs)} ms`,
  );
  for (const failed of [...r.docker.failedRounds, ...r.process.failedRounds, ...s.failedRounds]) console.log(`  failed round: ${failed}`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/docker-runtime.json'), JSON.stringify({ rounds, lifecycle: r, throughput: tp, swarm: s, goals: GOALS }, null, 2));
}

runBenchmark(main, async () => {
  if (ownSwarm) await docker.swarmLeave({ force: true }).catch(() => undefined);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  if (ownEngine) {
    await run('bash', [join(root, 'scripts/stop-test-dockerd.sh'), ownEngine]).catch(() => undefined);
    rmSync(ownEngine, { recursive: true, force: true });
  }
});

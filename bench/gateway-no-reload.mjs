// Benchmarks of the gateway's Lua control plane (issue 14), against real `ecom up -d` clusters on free ports:
//  1. a product instance slowed by 50 ms (PUT /internal/faults), uncached GETs under the same open-model load (300/s,
//     `ecom overload --target`): p99 with gateway.balance least_conn vs ewma (one cluster each, microcache off); the uncached throughput of each, 2 instances through
//     the gateway vs one instance directly (goal ≥ 1.24×, aim 1.3×), and as the reference of the same run today's gateway
//     (a render-and-reload nginx in front of the same two instances, static upstream with keep-alive): ROUNDS rounds
//     (default 5) of direct, Lua gateway and reference in rotating order, so the noise of a shared machine hits all three;
//     medians with their spread and the load average;
//  2. registration → first request routed to the new instance (the send time of the first request it answered; the
//     time its answer arrived is printed beside it), p50/p99 over N trials (goal p99 ≤ 50 ms);
//  3. rolling restarts of product, user and order plus scale product 2→3→2 during an open-model mix load: failed
//     requests, nginx reloads and whether the nginx worker pids changed (goal: 0, 0, unchanged).
//  2 and 3 run on the least_conn cluster and, as the reference of the same run, on a cluster forced to render-and-reload
//  (gateway.endpoints "reload", today's behaviour without the Lua module).
// Not a test: prints figures, writes bench/results/gateway-no-reload.json, never fails on a missed goal.
// Usage: npm run build && [ROUNDS=5] [WORKERS=1] [ONLY=throughput [BALANCE=ewma,least_conn]] node bench/gateway-no-reload.mjs [trials]
// (WORKERS: nginx worker processes of both gateways.)
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { formatSpread, freePort, median, parseWrk, percentile, runBenchmark, sleep, spread, until, writeBenchCluster } from './lib/bench-kit.mjs';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'dist/cli/main.js');
const trials = Number(process.argv[2] ?? 20);
const rounds = Number(process.env.ROUNDS ?? 5);
const ecom = (...args) => run(process.execPath, [bin, ...args], { maxBuffer: 10 * 1024 * 1024 });
const cleanups = [];

/** wrk for `seconds` with `connections`, one thread: rps, p50/p99 (ms) and non-2xx answers. */
async function wrk(url, { seconds = 8, connections = 32, headers = [] } = {}) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...headers.flatMap((h) => ['-H', h]), url];
  const { stdout } = await run('wrk', args, { maxBuffer: 1024 * 1024 });
  const w = parseWrk(stdout);
  return { rps: w.rps, requests: w.requests, p50: w.p50, p99: w.p99, non2xx: w.non2xx, errors: w.socketErrors.timeout };
}

/** An `ecom up -d` cluster with `balance`, seeded; its gateway URL, ports, status and token. */
async function cluster(balance, endpoints = 'lua') {
  const dir = mkdtempSync(join(tmpdir(), `ecom-bench-lua-${balance}-${endpoints}-`));
  const file = join(dir, 'config.json');
  const ports = await writeBenchCluster(file, { product: [1, 2], user: [3], logger: [4], order: [5] });
  const cfg = JSON.parse(readFileSync(file, 'utf8'));
  // No microcache: every GET reaches an instance (the overload --target GETs carry no Authorization to bypass it).
  cfg.gateway = { ...cfg.gateway, balance, endpoints, cache: { enabled: false }, workers: Number(process.env.WORKERS ?? 1) };
  writeFileSync(file, JSON.stringify(cfg));
  await ecom('up', '-d', '-c', file);
  const down = async () => {
    await ecom('down', '-c', file).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  cleanups.push(down);
  await ecom('seed', '--products', '20', '--users', '10', '-c', file);
  const token = JSON.parse(readFileSync(join(dir, 'state', 'credentials.json'), 'utf8')).clusterToken;
  const status = async () => JSON.parse((await ecom('status', '--json', '-c', file)).stdout);
  const adminPort = endpoints === 'lua' ? () => Number(readFileSync(join(dir, 'state', 'nginx', 'admin-port'), 'utf8')) : undefined;
  return { file, gw: `http://127.0.0.1:${ports.gateway}`, ...ports, token, status, down, adminPort };
}

/** The worker pids of an nginx master, from /proc. */
function workersOf(master) {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const parent = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1];
        return parent === String(master) && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('worker process');
      } catch {
        return false;
      }
    })
    .sort();
}

/**
 * Today's gateway as the reference: `ecom nginx render` of the cluster in reload mode (every instance a static
 * upstream server, keep-alive) on a port and prefix of its own, in front of the same instances. Its URL and stop().
 */
async function staticGateway(c) {
  const cfg = JSON.parse(readFileSync(c.file, 'utf8'));
  const port = await freePort();
  const file = join(dirname(c.file), 'static.json');
  writeFileSync(file, JSON.stringify({ ...cfg, stateDir: 'static-ref', gateway: { ...cfg.gateway, port, endpoints: 'reload' } }));
  const { stdout } = await ecom('nginx', 'render', '--iscs', `http://127.0.0.1:${c.iscs}`, '-c', file);
  const prefix = join(dirname(c.file), 'static-ref', 'nginx');
  for (const d of ['temp/client_body', 'temp/proxy', 'temp/fastcgi', 'temp/uwsgi', 'temp/scgi', 'cache', 'logs'])
    mkdirSync(join(prefix, d), { recursive: true });
  writeFileSync(join(prefix, 'nginx.conf'), stdout);
  const nginx = spawn('nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: 'ignore', detached: true });
  const master = nginx.pid;
  const stop = () => {
    try {
      process.kill(-nginx.pid, 'SIGQUIT');
    } catch {}
  };
  cleanups.push(async () => stop());
  const url = `http://127.0.0.1:${port}/api/products/1`;
  await until('the reference nginx', async () => (await fetch(url, { headers: { authorization: 'Bearer bench' } })).status === 200);
  return { url, stop, master };
}

/** CPU time (user + system, ms) the processes `pids` used so far. */
function cpuMs(pids) {
  return pids.reduce((sum, pid) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return sum + (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      return sum;
    }
  }, 0);
}

const fmt = (s, digits = 2) => formatSpread(s, digits);

/** Uncached GETs: one instance directly, the Lua gateway and the reference, `rounds` times in rotating order. */
async function throughput(c) {
  const headers = ['Authorization: Bearer bench'];
  const reference = await staticGateway(c);
  const urls = { direct: `http://127.0.0.1:${c.portOf[1]}/api/products/1`, gateway: `${c.gw}/api/products/1`, reference: reference.url };
  await wrk(urls.gateway, { seconds: 2, headers });
  await wrk(urls.reference, { seconds: 2, headers });
  const runs = { direct: [], gateway: [], reference: [] };
  const names = Object.keys(urls);
  // The nginx workers of each side and the two product instances: CPU per request, which a busy machine slows less
  // than it slows throughput.
  const processes = (await c.status()).processes;
  const nginx = { gateway: workersOf(processes.find((p) => p.service === 'nginx').pid), reference: workersOf(reference.master) };
  const instances = processes.filter((p) => p.service === 'product').map((p) => p.pid);
  const loadBefore = loadavg()[0];
  for (let i = 0; i < rounds; i++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length];
      const side = nginx[name] ?? [];
      const [n0, i0] = [cpuMs(side), cpuMs(instances)];
      const run = await wrk(urls[name], { seconds: 5, headers });
      const per = (ms) => (run.requests ? (ms * 1000) / run.requests : null);
      runs[name].push({ ...run, nginxUsPerRequest: per(cpuMs(side) - n0), instancesUsPerRequest: per(cpuMs(instances) - i0) });
    }
  }
  reference.stop();
  const per = (a, b) => runs[a].map((r, i) => r.rps / runs[b][i].rps);
  const cpu = (name, field) => spread(runs[name].map((r) => r[field]));
  return {
    cpuUsPerRequest: {
      gatewayNginx: cpu('gateway', 'nginxUsPerRequest'),
      referenceNginx: cpu('reference', 'nginxUsPerRequest'),
      instancesDirect: cpu('direct', 'instancesUsPerRequest'),
      instancesGateway: cpu('gateway', 'instancesUsPerRequest'),
    },
    direct: runs.direct[0],
    gateway: runs.gateway[0],
    runs,
    ratio: median(per('gateway', 'direct')),
    ratios: {
      gatewayToDirect: spread(per('gateway', 'direct')),
      referenceToDirect: spread(per('reference', 'direct')),
      gatewayToReference: spread(per('gateway', 'reference')),
    },
    load: { before: loadBefore, after: loadavg()[0] },
  };
}

/** 1. slowed instance p99, and uncached throughput against one instance directly. */
async function slowAndThroughput(c) {
  const measured = await throughput(c);
  const fault = (latencyMs) =>
    fetch(`http://127.0.0.1:${c.portOf[1]}/internal/faults`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs, forMs: 120_000 }),
    });
  await fault(50);
  // Open model (latency from each request's intended send time), at a rate the two instances serve with room.
  const report = join(dirname(c.file), 'slowed.json');
  await ecom('overload', '--target', `${c.gw}/api/products/1`, '--rate', '300', '--duration', '12s', '--json', report, '-c', c.file);
  const out = JSON.parse(readFileSync(report, 'utf8'));
  const slowed = { rps: out.rps, p50: out.latencyMs.p50, p99: out.latencyMs.p99, errors: out.errors, instances: out.instances };
  await fault(0);
  return { ...measured, slowed };
}

/** 2. registration → first routed request. */
async function routing(c) {
  const delays = [];
  const answeredDelays = [];
  const tableDelays = [];
  for (let i = 0; i < trials; i++) {
    const id = 100 + i;
    const port = await freePort();
    const child = spawn(process.execPath, [bin, 'service', 'start', 'product', '--id', String(id), '--port', String(port), '-c', c.file], { stdio: 'ignore' });
    let inTable;
    const registeredAt = await until(
      `product-${id} to register`,
      async () => {
        const res = await fetch(`http://127.0.0.1:${c.iscs}/v1/services`).then((r) => r.json());
        return res.services?.product?.some((p) => p.id === id) ? performance.now() : undefined;
      },
      30_000,
      5,
    );
    // Lua mode: when the gateway's own peer table (its admin server) lists the instance.
    if (c.adminPort) {
      inTable = until(
        `product-${id} in the peer table`,
        async () => {
          const res = await fetch(`http://127.0.0.1:${c.adminPort()}/stats`, { headers: { authorization: `Bearer ${c.token}` } }).then((r) => r.json());
          return res.peers.some((p) => p.id === id) ? performance.now() : undefined;
        },
        30_000,
        2,
      );
    }
    // Routed = when the gateway sent it a request: the send time of the first request the new instance answered
    // (its answer comes later by the instance's own cold first request, which is not the gateway's doing).
    const routedAt = await until(
      `product-${id} to be routed`,
      async () => {
        const sent = performance.now();
        const answers = await Promise.all(
          Array.from({ length: 4 }, () =>
            fetch(`${c.gw}/api/products/1`, { headers: { authorization: 'Bearer bench' } })
              .then((r) => r.headers.get('x-instance-id'))
              .catch(() => null),
          ),
        );
        return answers.includes(`product-${id}`) ? { sent, answered: performance.now() } : undefined;
      },
      30_000,
      2,
    );
    delays.push(routedAt.sent - registeredAt);
    answeredDelays.push(routedAt.answered - registeredAt);
    if (inTable !== undefined) tableDelays.push((await inTable) - registeredAt);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  const table = tableDelays.length ? { tableP50Ms: Math.round(percentile(tableDelays, 50)), tableP99Ms: Math.round(percentile(tableDelays, 99)) } : {};
  return {
    trials,
    p50Ms: Math.round(percentile(delays, 50)),
    p99Ms: Math.round(percentile(delays, 99)),
    maxMs: Math.round(Math.max(...delays)),
    answeredP50Ms: Math.round(percentile(answeredDelays, 50)),
    answeredP99Ms: Math.round(percentile(answeredDelays, 99)),
    ...table,
  };
}

/** 3. rolling restarts and scaling under an open-model mix load. */
async function churn(c) {
  const before = await c.status();
  const nginx = before.processes.find((p) => p.service === 'nginx');
  const workers = workersOf(nginx.pid);
  const report = join(dirname(c.file), 'overload.json');
  // Settled at once, so a failed load is reported rather than left unhandled while the steps run.
  const load = ecom('overload', '--rate', '200', '--duration', '30s', '--scenario', 'mix', '--timeout', '30s', '--json', report, '-c', c.file).then(
    () => undefined,
    (err) => err,
  );
  await sleep(2000);
  const steps = [];
  for (const args of [
    ['restart', 'product', '--rolling'],
    ['scale', 'product=3'],
    ['restart', 'order', '--rolling'],
    ['restart', 'user', '--rolling'],
    ['scale', 'product=2'],
  ]) {
    const t = performance.now();
    // A step can fail for reasons of its own (a port another process took meanwhile): noted, the run goes on.
    const failure = await ecom(...args, '-c', c.file).then(
      () => '',
      (err) => ` FAILED (${err.stderr?.trim().split('\n')[0] ?? err})`,
    );
    steps.push(`${args.join(' ')} ${Math.round(performance.now() - t)} ms${failure}`);
  }
  const failed = await load;
  const after = await c.status();
  // A load that could not even start (its set-up calls failed, as a reload's reset does) is a result too.
  const out = failed ? { aborted: failed.stderr?.trim() ?? String(failed) } : JSON.parse(readFileSync(report, 'utf8'));
  return {
    ...(out.aborted ? { aborted: out.aborted } : {}),
    requests: out.requests ?? 0,
    errors: out.errors ?? null,
    retries: out.retries ?? null,
    errorsByKind: out.errorsByKind ?? {},
    p99Ms: out.latencyMs?.p99 ?? null,
    syncReloads: after.proxySync.reloads - before.proxySync.reloads,
    nginxReloads: after.proxySync.gateway?.reloads ?? null,
    pushes: (after.proxySync.pushes ?? 0) - (before.proxySync.pushes ?? 0),
    workersUnchanged: JSON.stringify(workersOf(nginx.pid)) === JSON.stringify(workers) && after.processes.find((p) => p.service === 'nginx').pid === nginx.pid,
    steps,
  };
}

/** Prints and returns the routing and churn figures of one cluster. */
async function routingAndChurn(c, label) {
  const routed = await routing(c);
  console.log(
    `${label} registration → first routed request over ${trials} trials: p50 ${routed.p50Ms} ms, p99 ${routed.p99Ms} ms, max ${routed.maxMs} ms (goal p99 ≤ 50 ms; its answer back p50 ${routed.answeredP50Ms} ms, p99 ${routed.answeredP99Ms} ms)${routed.tableP99Ms === undefined ? '' : ` · → in nginx's peer table p50 ${routed.tableP50Ms} ms, p99 ${routed.tableP99Ms} ms`}`,
  );
  const ch = await churn(c);
  console.log(
    `${label} rolling restarts + scale under 200 rps mix: ${ch.requests} requests, ${ch.errors} failed, ${ch.retries} retried, p99 ${ch.p99Ms} ms · reloads by ecom ${ch.syncReloads}, counted by nginx ${ch.nginxReloads ?? '-'} · ${ch.pushes} peer updates · worker pids ${ch.workersUnchanged ? 'unchanged' : 'CHANGED'} (goal 0 failed, 0 reloads)`,
  );
  console.log(`${label}   steps: ${ch.steps.join(' · ')}`);
  if (ch.aborted) console.log(`${label}   the load aborted: ${ch.aborted}`);
  return { routing: routed, churn: ch };
}

/** Prints the throughput figures of one cluster. */
function printThroughput(balance, r) {
  const rps = (name) => fmt(spread(r.runs[name].map((x) => x.rps)), 0);
  console.log(
    `${balance.padEnd(10)} uncached GET over ${rounds} rounds, median (min–max): direct product-1 ${rps('direct')} rps · gateway ×2 ${rps('gateway')} rps · reference (static upstream) ×2 ${rps('reference')} rps`,
  );
  console.log(
    `${balance.padEnd(10)}   gateway ÷ direct ${fmt(r.ratios.gatewayToDirect)} (goal ≥ 1.24) · reference ÷ direct ${fmt(r.ratios.referenceToDirect)} · gateway ÷ reference ${fmt(r.ratios.gatewayToReference)} · load average ${r.load.before.toFixed(1)} → ${r.load.after.toFixed(1)} on ${availableParallelism()} cores`,
  );
  const us = r.cpuUsPerRequest;
  console.log(
    `${balance.padEnd(10)}   CPU µs per request: nginx workers, Lua gateway ${fmt(us.gatewayNginx, 1)} vs reference ${fmt(us.referenceNginx, 1)} · product instances, direct ${fmt(us.instancesDirect, 0)} vs through the Lua gateway ${fmt(us.instancesGateway, 0)}`,
  );
}

/** ONLY=throughput: the throughput rounds alone, on a cluster per method of BALANCE (default ewma). */
async function throughputOnly() {
  const results = {};
  for (const balance of (process.env.BALANCE ?? 'ewma').split(',')) {
    const c = await cluster(balance);
    results[balance] = await throughput(c);
    printThroughput(balance, results[balance]);
    await c.down();
  }
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/gateway-no-reload-throughput.json'), JSON.stringify(results, null, 2));
}

async function main() {
  if (process.env.ONLY === 'throughput') return throughputOnly();
  const results = {};
  for (const balance of ['least_conn', 'ewma']) {
    const c = await cluster(balance);
    results[balance] = await slowAndThroughput(c);
    const r = results[balance];
    printThroughput(balance, r);
    console.log(
      `${balance.padEnd(10)} product-1 slowed by 50 ms, 300 rps open model: p50 ${r.slowed.p50} ms, p99 ${r.slowed.p99} ms, ${r.slowed.errors} errors, answers by instance ${JSON.stringify(r.slowed.instances)}`,
    );
    if (balance === 'least_conn') results.lua = await routingAndChurn(c, 'lua   ');
    await c.down();
  }
  const ratio = results.least_conn.slowed.p99 / results.ewma.slowed.p99;
  console.log(
    `slowed instance: least_conn p99 ${results.least_conn.slowed.p99} ms vs ewma p99 ${results.ewma.slowed.p99} ms (least_conn/ewma ${ratio.toFixed(2)})`,
  );
  const reference = await cluster('least_conn', 'reload');
  results.reload = await routingAndChurn(reference, 'reload');
  await reference.down();
  console.log(
    `routing p99: Lua ${results.lua.routing.p99Ms} ms vs render-and-reload ${results.reload.routing.p99Ms} ms (ratio ${(results.reload.routing.p99Ms / results.lua.routing.p99Ms).toFixed(2)})`,
  );
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/gateway-no-reload.json'), JSON.stringify(results, null, 2));
}

runBenchmark(main, async () => {
  for (const c of cleanups.reverse()) await c();
});

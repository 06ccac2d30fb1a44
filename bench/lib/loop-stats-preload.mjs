// Preloaded with NODE_OPTIONS="--import <this file>": a service process (`ecom service start KIND --id N`) counts
// what makes its tail latency, in measures that do not depend on how loaded the machine is, and rewrites
// $LOOP_STATS_DIR/<kind>-<id>.<pid>.json once a second (cumulative since start):
//   - requests: HTTP requests received (diagnostics channel http.server.request.start);
//   - cpuMs: the process's CPU time (user + system, every thread);
//   - blocks: event-loop turns longer than 5 ms, seen by a 1 ms timer as a gap between two of its ticks, each with the
//     CPU time the process spent in it. A gap with CPU ≥ 5 ms is the process's own work (a "CPU block"); a gap
//     without is the machine not running it (load), counted apart;
//   - gc: pauses (count, total, max, count ≥ 5 ms) from PerformanceObserver 'gc' entries.
// A bench reads these files between phases and prints the differences (bench/lib/loop-stats.mjs).
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';

const argv = process.argv;
const at = argv.indexOf('service');
if (at > 0 && argv[at + 1] === 'start' && process.env.LOOP_STATS_DIR) {
  const name = `${argv[at + 2]}-${argv[argv.indexOf('--id') + 1]}`;
  const file = join(process.env.LOOP_STATS_DIR, `${name}.${process.pid}.json`);
  const BLOCK_MS = 5;
  const stats = {
    name,
    pid: process.pid,
    requests: 0,
    cpuMs: 0,
    cpuBlocks: { count: 0, wallMs: 0, cpuMs: 0, maxMs: 0, over10: 0, over20: 0, over50: 0 },
    stalls: { count: 0, wallMs: 0, maxMs: 0 },
    gc: { count: 0, ms: 0, maxMs: 0, over5: 0, byKind: {} },
  };
  subscribe('http.server.request.start', () => stats.requests++);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      stats.gc.count++;
      stats.gc.ms += e.duration;
      stats.gc.maxMs = Math.max(stats.gc.maxMs, e.duration);
      if (e.duration >= 5) stats.gc.over5++;
      const kind = { 1: 'minor', 4: 'major', 8: 'incremental', 16: 'weak' }[e.detail?.kind ?? e.kind] ?? 'other';
      const k = (stats.gc.byKind[kind] ??= { count: 0, ms: 0, over5: 0 });
      k.count++;
      k.ms += e.duration;
      if (e.duration >= 5) k.over5++;
    }
  }).observe({ entryTypes: ['gc'] });
  let lastWall = performance.now();
  let lastCpu = process.cpuUsage();
  setInterval(() => {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    const gap = wall - lastWall;
    if (gap > BLOCK_MS + 1) {
      const cpuMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
      if (cpuMs >= BLOCK_MS) {
        const b = stats.cpuBlocks;
        b.count++;
        b.wallMs += gap;
        b.cpuMs += cpuMs;
        b.maxMs = Math.max(b.maxMs, cpuMs);
        if (cpuMs >= 10) b.over10++;
        if (cpuMs >= 20) b.over20++;
        if (cpuMs >= 50) b.over50++;
      } else {
        stats.stalls.count++;
        stats.stalls.wallMs += gap;
        stats.stalls.maxMs = Math.max(stats.stalls.maxMs, gap);
      }
    }
    lastWall = wall;
    lastCpu = cpu;
  }, 1).unref();
  const write = () => {
    const cpu = process.cpuUsage();
    stats.cpuMs = (cpu.user + cpu.system) / 1000;
    try {
      writeFileSync(file, JSON.stringify(stats));
    } catch {
      // The directory may be gone at the end of a bench.
    }
  };
  setInterval(write, 1000).unref();
  process.on('exit', write);
}

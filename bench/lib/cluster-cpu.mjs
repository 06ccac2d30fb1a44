// CPU time of every process of a cluster (services, nginx, redis, registry, daemon), read from /proc/<pid>/stat:
// the processes whose command line mentions the cluster's directory, or that descend from one that does (nginx
// workers), grouped by a short name. For a phase of a bench: read before and after, print the difference per request.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

function processes() {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      out.push({ pid: Number(entry), ppid: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS, cmdline });
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** A short name for a cluster process: `user-3`, `nginx`, `redis`, `daemon`, `registry`, ... */
function nameOf(cmdline) {
  const service = /service start (\w+) --id (\d+)/.exec(cmdline);
  if (service) return `${service[1]}-${service[2]}`;
  if (cmdline.includes('nginx')) return 'nginx';
  if (cmdline.includes('redis-server')) return 'redis';
  if (cmdline.includes('iscs')) return 'registry';
  if (cmdline.includes(' overload ')) return 'load generator';
  return 'daemon';
}

/** CPU ms so far of the processes of the cluster in `dir`, by name (summed over processes of one name). */
export function clusterCpu(dir) {
  const all = processes();
  const byPid = new Map(all.map((p) => [p.pid, p]));
  const inCluster = (p, depth = 0) => p && depth < 4 && (p.cmdline.includes(dir) || inCluster(byPid.get(p.ppid), depth + 1));
  const totals = {};
  for (const p of all) if (p.pid !== process.pid && inCluster(p)) totals[nameOf(p.cmdline)] = (totals[nameOf(p.cmdline)] ?? 0) + p.cpuMs;
  return totals;
}

/** One line: CPU ms per request of each process between two readings, and the cluster's total (without the load generator). */
export function formatClusterCpu(phase, before, after, requests) {
  const rows = Object.entries(after)
    .map(([name, ms]) => [name, (ms - (before[name] ?? 0)) / Math.max(1, requests)])
    .filter(([, perRequest]) => perRequest > 0)
    .sort((a, b) => b[1] - a[1]);
  const total = rows.filter(([n]) => n !== 'load generator').reduce((sum, [, v]) => sum + v, 0);
  return `${phase}: cluster CPU ms per request (/proc, 10 ms ticks) ${total.toFixed(3)} = ${rows.map(([n, v]) => `${n} ${v.toFixed(3)}`).join(', ')}`;
}

import type { ClusterStatus, ProcessStatus } from '../cluster/supervise-cluster.js';

/** Human uptime: 850ms, 12s, 3m04s, 2h05m. */
export function formatUptime(ms: number): string {
  if (ms <= 0) return '-';
  if (ms < 1000) return `${ms}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** `product-2`, `redis`, `nginx`. */
export function processName(p: Pick<ProcessStatus, 'service' | 'id'>): string {
  return p.id === null ? p.service : `${p.service}-${p.id}`;
}

/** The status table of `ecom status` and `ecom up`, plus crash-looping processes' last log lines. */
export function formatStatusTable(status: ClusterStatus): string {
  const header = ['PROCESS', 'PID', 'PORT', 'HEALTH', 'RESTARTS', 'UPTIME'];
  const rows = status.processes.map((p) => [
    processName(p),
    p.pid === null ? '-' : String(p.pid),
    p.port === null ? '-' : String(p.port),
    p.health,
    String(p.restarts),
    formatUptime(p.uptimeMs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [`cluster ${status.phase} — gateway ${status.gateway}`, line(header), ...rows.map(line)];
  for (const p of status.processes) {
    if (p.lastLines?.length) out.push(`\n${processName(p)} ${p.health}, last log lines:`, ...p.lastLines.map((l) => `  ${l}`));
  }
  const sync = status.proxySync;
  if (sync?.lastError) out.push(`\ngateway config NOT applied (${sync.lastError.at}): ${sync.lastError.message}`);
  return `${out.join('\n')}\n`;
}

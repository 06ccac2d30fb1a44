import type { ClusterStatus, ProcessStatus } from '../cluster/project-status.js';
import { paintHealth } from '../common/paint-text.js';
import { formatGatewayPeers } from './format-gateway-peers.js';

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

/** Column titles of the status table (the HEALTH column is index 3). */
export const STATUS_HEADER = ['PROCESS', 'PID', 'PORT', 'HEALTH', 'RESTARTS', 'UPTIME'] as const;

/** One process as the cells of a status table row, in STATUS_HEADER order. */
export function statusCells(p: ProcessStatus): string[] {
  return [processName(p), p.pid === null ? '-' : String(p.pid), p.port === null ? '-' : String(p.port), p.health, String(p.restarts), formatUptime(p.uptimeMs)];
}

/** The title line: phase and gateway (and Prometheus, when it runs). */
export function statusTitle(status: ClusterStatus): string {
  return `cluster ${status.phase} — gateway ${status.gateway}${status.prometheus ? ` — prometheus ${status.prometheus}` : ''}`;
}

/** The status table of `ecom status` and `ecom up`, plus crash-looping processes' last log lines. */
export function formatStatusTable(status: ClusterStatus): string {
  const rows = status.processes.map(statusCells);
  const widths = STATUS_HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // Padding first, colour after: escape codes must not count towards the column width.
  const line = (cells: readonly string[], paint = false): string =>
    cells
      .map((c, i) => (paint && i === 3 ? `${paintHealth(c)}${' '.repeat(widths[i]! - c.length)}` : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [statusTitle(status), line(STATUS_HEADER), ...rows.map((r) => line(r, true))];
  for (const p of status.processes) {
    if (p.lastLines?.length) out.push(`\n${processName(p)} ${p.health}, last log lines:`, ...p.lastLines.map((l) => `  ${l}`));
  }
  const sync = status.proxySync;
  if (sync?.lastError) out.push(`\ngateway config NOT applied (${sync.lastError.at}): ${sync.lastError.message}`);
  out.push(...formatGatewayPeers(sync));
  return `${out.join('\n')}\n`;
}

/** One line per status change when `ecom up` has no terminal: `redis=healthy product-1=starting(2) ...`. */
export function formatHealthLine(status: ClusterStatus): string {
  return status.processes.map((p) => `${processName(p)}=${p.health}${p.restarts ? `(${p.restarts})` : ''}`).join(' ');
}

/** `ecom up -d` announcing a process that became healthy. */
export function formatReadyLine(p: ProcessStatus): string {
  return `  ✓ ${processName(p).padEnd(12)} pid ${String(p.pid).padEnd(8)} port ${p.port ?? '-'}\n`;
}

/** What `ecom status --json` prints: phase, gateway, the processes and the proxy sync's state. */
export function statusJson(status: ClusterStatus): string {
  const processes = status.processes.map(({ service, id, pid, port, health, restarts, uptimeMs, state, lastExit, lastLines }) => ({
    service,
    id,
    pid,
    port,
    health,
    restarts,
    uptimeMs,
    state,
    ...(lastExit ? { lastExit } : {}),
    ...(lastLines ? { lastLines } : {}),
  }));
  const prometheus = status.prometheus ? { prometheus: status.prometheus } : {};
  return `${JSON.stringify({ phase: status.phase, gateway: status.gateway, processes, proxySync: status.proxySync, ...prometheus })}\n`;
}

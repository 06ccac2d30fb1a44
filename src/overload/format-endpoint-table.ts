import type { EndpointStats } from './collect-endpoint-stats.js';

const HEAD = ['endpoint', 'requests', 'rps', 'p50', 'p90', 'p99', 'max', 'errors'];

/**
 * The per-endpoint breakdown as aligned plain-text rows (a header, then one row per endpoint; latencies in ms), shared
 * by the plain summary and the dashboard. No rows when there are no endpoints.
 */
export function formatEndpointTable(endpoints: readonly EndpointStats[]): string[] {
  if (endpoints.length === 0) return [];
  const rows = endpoints.map((e) => [
    e.name,
    String(e.requests),
    String(e.rps),
    String(e.latencyMs.p50),
    String(e.latencyMs.p90),
    String(e.latencyMs.p99),
    String(e.latencyMs.max),
    e.errors ? `${e.errors} (${Math.round((e.errors / Math.max(1, e.requests)) * 1000) / 10}%)` : '0',
  ]);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(HEAD), ...rows.map(line)];
}

import type { ProxySyncStatus } from '../gateway/sync-proxy.js';

const HEADER = ['PEER', 'ADDRESS', 'REQUESTS', 'FAILURES', 'IN-FLIGHT', 'EWMA', 'EJECTED'] as const;

/** `12.3ms`, or `-` before a peer's first answer. */
const ms = (value: number | null): string => (value === null ? '-' : `${value < 10 ? value.toFixed(1) : Math.round(value)}ms`);

/**
 * The gateway part of `ecom status`: how endpoint changes reach nginx, the reloads since `up`, and in Lua mode every
 * peer the balancer routes to with its requests, failures, in-flight count, EWMA and ejection.
 */
export function formatGatewayPeers(sync: ProxySyncStatus | undefined): string[] {
  if (!sync?.mode) return [];
  const gw = sync.gateway;
  if (sync.mode === 'reload') {
    return [`\ngateway: render-and-reload (${sync.fallbackReason ?? 'no Lua module'}), ${sync.reloads} nginx reloads since up`];
  }
  // nginx counts its own reloads (a SIGHUP from elsewhere included) since it started; ecom counts those it asked for.
  const reloads = gw ? `${gw.reloads} nginx reloads since it started (${sync.reloads} by ecom since up)` : `${sync.reloads} nginx reloads since up`;
  const title = `\ngateway: Lua balancer${gw ? ` (${gw.balance})` : ''}, admin 127.0.0.1:${sync.adminPort ?? '-'}, ${reloads}, ${sync.pushes ?? 0} peer updates`;
  if (!gw) return [title, '  (no figures from its admin server yet)'];
  const rows = gw.peers.map((p) => [
    `${p.service}-${p.id}`,
    p.address,
    String(p.requests),
    String(p.failures),
    String(p.inFlight),
    ms(p.ewmaMs),
    p.ejected ? `yes (${(p.ejectedForMs / 1000).toFixed(1)}s)` : '-',
  ]);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [title, line(HEADER), ...rows.map(line)];
}

import { callHttp } from '../kit/call-http.js';
import type { PeerTable } from './build-peer-table.js';

/** One peer as the Lua balancer sees it (GET /stats of the admin server). */
export interface PeerStats {
  service: string;
  id: number;
  address: string;
  /** Attempts sent to it since nginx started (retries included). */
  requests: number;
  /** Connection errors, timeouts, 502 and 504 answers. */
  failures: number;
  inFlight: number;
  /** Peak-EWMA of its response times, decayed to now; null before its first answer. */
  ewmaMs: number | null;
  /** Left out of rotation after a failure (for `ejectedForMs` more). */
  ejected: boolean;
  ejectedForMs: number;
}

/** What the admin server reports: the peer table's registry index, the method, reloads since nginx started, peers. */
export interface GatewayStats {
  index: number;
  balance: string;
  reloads: number;
  worker: number;
  peers: PeerStats[];
}

const TIMEOUT_MS = 2000;

async function call(port: number, token: string, path: string, init: { method?: 'PUT'; body?: string } = {}): Promise<unknown> {
  const res = await callHttp(`http://127.0.0.1:${port}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    timeoutMs: TIMEOUT_MS,
  });
  if (res.status < 200 || res.status > 299) throw new Error(`gateway admin ${path} answered ${res.status}: ${res.text.slice(0, 200)}`);
  return JSON.parse(res.text);
}

/** Replaces the gateway's peer table (PUT /peers on its admin port); throws when nginx did not take it. */
export async function pushPeerTable(port: number, token: string, table: PeerTable): Promise<void> {
  await call(port, token, '/peers', { method: 'PUT', body: JSON.stringify(table) });
}

/** The gateway's per-peer figures (GET /stats on its admin port). */
export async function readGatewayStats(port: number, token: string): Promise<GatewayStats> {
  return (await call(port, token, '/stats')) as GatewayStats;
}

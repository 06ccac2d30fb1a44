import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_KINDS } from '../config/defaults.js';
import type { NginxPaths } from '../config/state-layout.js';
import type { RegistrySnapshot } from '../registry/registry-state.js';
import { upstreamAddress } from './format-upstream-address.js';

/** What the Lua balancer routes by: every routed service's instances (the admin location's PUT /peers body). */
export interface PeerTable {
  index: number;
  services: Record<string, Array<{ id: number; host: string; port: number }>>;
}

/** The peers file beside nginx.conf: the last table pushed, which nginx loads when it starts or reloads. */
export const peersFile = (paths: NginxPaths): string => join(paths.prefix, 'peers.json');

/** The peer table of a listing: the four routed kinds (each present, maybe empty), instances in id order. */
export function buildPeerTable(snapshot: RegistrySnapshot): PeerTable {
  const services: PeerTable['services'] = {};
  for (const kind of SERVICE_KINDS) {
    services[kind] = [...(snapshot.services[kind] ?? [])]
      .sort((a, b) => a.id - b.id)
      .map(({ id, host, port }) => {
        upstreamAddress(kind, id, host, port);
        return { id, host, port };
      });
  }
  return { index: snapshot.index, services };
}

/** Writes the peers file whole (renamed into place: nginx never reads half a table). */
export function writePeersFile(paths: NginxPaths, table: PeerTable): void {
  const file = peersFile(paths);
  writeFileSync(`${file}.next`, JSON.stringify(table));
  renameSync(`${file}.next`, file);
}

/**
 * What nginx routes to, as upstream `server <address>; # <kind>-<id>` lines: in Lua mode from the peers file (the
 * table last pushed), in reload mode nginx.conf itself. For checks that compare the gateway with the registry.
 */
export function routedUpstreamsText(paths: NginxPaths): string {
  const config = readFileSync(paths.config, 'utf8');
  if (!config.includes('balancer_by_lua') || !existsSync(peersFile(paths))) return config;
  const table = JSON.parse(readFileSync(peersFile(paths), 'utf8')) as PeerTable;
  return Object.entries(table.services)
    .flatMap(([kind, list]) => list.map((p) => `    server ${upstreamAddress(kind, p.id, p.host, p.port)} max_fails=1 fail_timeout=2s; # ${kind}-${p.id}`))
    .join('\n');
}

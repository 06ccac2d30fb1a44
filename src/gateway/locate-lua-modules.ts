import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assetFile, IN_BINARY, readAsset } from '../common/locate-assets.js';

/** The gateway's Lua files under templates/lua (the single executable carries them as assets, which it cannot list). */
export const LUA_FILES = [
  'ecom/admin.lua',
  'ecom/balancer.lua',
  'ecom/init.lua',
  'ecom/json.lua',
  'ecom/peers.lua',
  'ecom/route.lua',
  'ecom/settings.lua',
  'ecom/stats.lua',
  'ecom/balance/ewma.lua',
  'ecom/balance/ip_hash.lua',
  'ecom/balance/least_conn.lua',
  'ecom/balance/round_robin.lua',
];

/** Folders this process already wrote the files into (once per process: every render asks). */
const written = new Set<string>();

/**
 * The folder nginx's `lua_package_path` points at: templates/lua in the source tree; for the single executable,
 * a copy written under the nginx prefix (nginx reads files, not the executable's assets).
 */
export function luaModulesDir(prefix: string): string {
  if (!IN_BINARY) return assetFile('templates/lua');
  const dir = join(prefix, 'lua');
  if (!written.has(dir)) {
    for (const file of LUA_FILES) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), readAsset(`templates/lua/${file}`));
    }
    written.add(dir);
  }
  return dir;
}

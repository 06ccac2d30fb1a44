import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EcomError } from '../common/ecom-error.js';
import type { ClusterConfig } from '../config/cluster-schema.js';

/** Where nginx's dynamic modules live on Debian/Ubuntu, Fedora/RHEL and Alpine. */
const MODULE_DIRS = ['/usr/lib/nginx/modules', '/usr/lib64/nginx/modules', '/usr/share/nginx/modules', '/etc/nginx/modules'];
/** Where lua-resty-core (resty/core.lua, ngx/balancer.lua) is installed. */
const LUA_LIB_DIRS = ['/usr/share/lua/5.1', '/usr/local/share/lua/5.1', '/usr/local/openresty/lualib'];
/** What to install on Debian/Ubuntu for endpoints without reloads. */
export const NGINX_LUA_PACKAGES = 'libnginx-mod-http-lua libnginx-mod-http-ndk lua-resty-core';

/** nginx's Lua module as found on this machine: the two `load_module` files and lua-resty-core's folder. */
export interface NginxLua {
  modules: [ndk: string, lua: string];
  libDir: string;
}

/** How registry changes reach nginx: pushed to the Lua balancer, or rendered into nginx.conf and reloaded. */
export type GatewayMode = { kind: 'lua'; lua: NginxLua } | { kind: 'reload'; reason: string };

let found: NginxLua | null | undefined;

/**
 * Finds nginx's Lua module, the NDK it needs and lua-resty-core; undefined when one is missing or
 * `ECOM_NGINX_LUA=off` says to act as if (the fallback's test switch). Looked up once per process.
 */
export function findNginxLua(): NginxLua | undefined {
  if (process.env.ECOM_NGINX_LUA === 'off') return undefined;
  if (found === undefined) {
    const dir = MODULE_DIRS.find((d) => existsSync(join(d, 'ngx_http_lua_module.so')) && existsSync(join(d, 'ndk_http_module.so')));
    const libDir = LUA_LIB_DIRS.find((d) => existsSync(join(d, 'resty', 'core.lua')) && existsSync(join(d, 'ngx', 'balancer.lua')));
    found = dir && libDir ? { modules: [join(dir, 'ndk_http_module.so'), join(dir, 'ngx_http_lua_module.so')], libDir } : null;
  }
  return found ?? undefined;
}

/** The mode a cluster's gateway runs in: `gateway.endpoints` (auto, lua, reload) against what is installed. */
export function gatewayMode(cluster: ClusterConfig): GatewayMode {
  const setting = cluster.gateway.endpoints;
  if (setting === 'reload') return { kind: 'reload', reason: 'gateway.endpoints is "reload"' };
  // The docker runtime's nginx image carries the host's modules and Lua libraries at the same paths, and its
  // container shares the host's network, so the proxy sync reaches the Lua balancer's admin port on 127.0.0.1.
  const lua = findNginxLua();
  if (lua) return { kind: 'lua', lua };
  if (setting === 'lua') {
    throw new EcomError('gateway_config_invalid', 'gateway.endpoints is "lua" but nginx\'s Lua module or lua-resty-core is not installed', {
      hint: `apt-get install -y ${NGINX_LUA_PACKAGES}, or set gateway.endpoints to "auto"`,
    });
  }
  return {
    kind: 'reload',
    reason: "nginx's Lua module is not installed",
  };
}

/** `ecom doctor`'s line about it: not a failure (ecom falls back), but says what the fallback costs and the fix. */
export function describeGatewayMode(cluster: ClusterConfig): { name: string; ok: boolean; detail: string; fix?: string } {
  let mode: GatewayMode;
  try {
    mode = gatewayMode(cluster);
  } catch (err) {
    return { name: 'nginx lua', ok: false, detail: (err as Error).message, fix: `apt-get install -y ${NGINX_LUA_PACKAGES}` };
  }
  if (mode.kind === 'lua') {
    return { name: 'nginx lua', ok: true, detail: `${mode.lua.modules[1]}: endpoints reach nginx without reloads (Lua balancer)` };
  }
  const missing = mode.reason.startsWith('gateway.endpoints');
  return {
    name: 'nginx lua',
    ok: true,
    detail: `${mode.reason}: falling back to render-and-reload on every registry change`,
    ...(missing ? {} : { fix: `apt-get install -y ${NGINX_LUA_PACKAGES} (optional: endpoint changes without reloads)` }),
  };
}

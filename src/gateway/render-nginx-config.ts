import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import Handlebars from 'handlebars';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { SERVICE_KINDS, type ServiceKind } from '../config/defaults.js';
import type { RegistrySnapshot } from '../registry/registry-state.js';
import { stateLayout } from '../config/state-layout.js';
import { assetFile, readAsset } from '../common/locate-assets.js';
import { LOG_BATCH_LIMIT_BYTES } from '../kit/create-logger.js';
import { gatewayMode } from './detect-nginx-lua.js';
import { luaModulesDir } from './locate-lua-modules.js';
import { adminPortOf } from './resolve-admin-port.js';
import { peersFile } from './build-peer-table.js';
import { upstreamAddress } from './format-upstream-address.js';

const TEMPLATE_ASSET = 'templates/nginx.conf.hbs';
/** The default template in the source tree: the only place nginx syntax lives (the binary carries a copy). */
export const NGINX_TEMPLATE = assetFile(TEMPLATE_ASSET);

const ROUTES: Record<ServiceKind, { path: string; cacheable?: boolean; login?: boolean; keyedRetry?: boolean; bodyLimit?: string }> = {
  product: { path: 'products', cacheable: true },
  user: { path: 'users', login: true },
  order: { path: 'orders', keyedRetry: true },
  logger: { path: 'logs', bodyLimit: `${Math.ceil(LOG_BATCH_LIMIT_BYTES / 1024)}k` },
};

/**
 * Renders nginx.conf text for the cluster and a registry listing. In reload mode every instance is an upstream
 * `server` (instances in id order); in Lua mode the text holds only the structure (routes, cache, rates, the admin
 * server) and no instance, so it changes only when the structure does.
 */
export type RenderNginxConfig = (cluster: ClusterConfig, snapshot: RegistrySnapshot) => string;

/** The Lua side's settings in the template (undefined in reload mode). */
function luaContext(cluster: ClusterConfig): object | undefined {
  const mode = gatewayMode(cluster);
  if (mode.kind !== 'lua') return undefined;
  const paths = stateLayout(cluster.stateDir);
  return {
    modules: mode.lua.modules,
    packagePath: `${luaModulesDir(paths.nginx.prefix)}/?.lua;${mode.lua.libDir}/?.lua;;`,
    peersFile: peersFile(paths.nginx),
    credentialsFile: paths.credentials,
    adminPort: adminPortOf(cluster, paths.nginx),
  };
}

/** Compiles a template file (default: the built-in one) into a renderer; a template that does not compile throws here. */
export function compileNginxTemplate(templateFile?: string): RenderNginxConfig {
  const text = templateFile === undefined ? readAsset(TEMPLATE_ASSET) : readFileSync(templateFile, 'utf8');
  const template = Handlebars.compile(text, { noEscape: true, strict: false });
  // As root, nginx would hand its workers to `nobody`, who may not reach a state dir under a private folder.
  const workerUser = process.getuid?.() === 0 ? userInfo().username : undefined;
  return (cluster, snapshot) => {
    const paths = stateLayout(cluster.stateDir).nginx;
    const lua = luaContext(cluster);
    const routes = SERVICE_KINDS.map((kind) => {
      const servers = lua
        ? []
        : [...(snapshot.services[kind] ?? [])]
            .sort((a, b) => a.id - b.id)
            .map(({ id, host, port }) => ({ id, address: upstreamAddress(kind, id, host, port) }));
      return { name: kind, ...ROUTES[kind], servers, routed: lua !== undefined || servers.length > 0 };
    });
    const balance = cluster.gateway.balance;
    return template({
      index: lua ? undefined : snapshot.index,
      user: workerUser,
      ...paths,
      workers: cluster.gateway.workers,
      host: cluster.host,
      port: cluster.gateway.port,
      // nginx has no ewma of its own: without Lua it balances by least_conn.
      balance: balance === 'round_robin' ? '' : balance === 'ewma' ? 'least_conn' : balance,
      method: balance,
      lua,
      cache: cluster.gateway.cache,
      bodyLimit: `${Math.ceil(cluster.http.bodyLimitBytes / 1024)}k`,
      loginRate: cluster.gateway.loginRate,
      loginBurst: cluster.gateway.loginBurst,
      routes,
    });
  };
}

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { userInfo } from 'node:os';
import Handlebars from 'handlebars';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { SERVICE_KINDS, type ServiceKind } from '../config/defaults.js';
import type { RegistrySnapshot } from '../registry/registry-state.js';
import { stateLayout } from '../config/state-layout.js';
import { isValidHost, isValidPort } from '../common/check-host.js';
import { EcomError } from '../common/ecom-error.js';
import { assetFile, readAsset } from '../common/locate-assets.js';
import { LOG_BATCH_LIMIT_BYTES } from '../kit/create-logger.js';

const TEMPLATE_ASSET = 'templates/nginx.conf.hbs';
/** The default template in the source tree: the only place nginx syntax lives (the binary carries a copy). */
export const NGINX_TEMPLATE = assetFile(TEMPLATE_ASSET);

const ROUTES: Record<ServiceKind, { path: string; cacheable?: boolean; login?: boolean; keyedRetry?: boolean; bodyLimit?: string }> = {
  product: { path: 'products', cacheable: true },
  user: { path: 'users', login: true },
  order: { path: 'orders', keyedRetry: true },
  logger: { path: 'logs', bodyLimit: `${Math.ceil(LOG_BATCH_LIMIT_BYTES / 1024)}k` },
};

/** `host:port` as nginx's `server` wants it; refuses anything that is not an address (defence behind the registry). */
function upstreamAddress(kind: string, id: number, host: string, port: number): string {
  if (!isValidHost(host) || !isValidPort(port)) {
    throw new EcomError('gateway_config_invalid', `${kind}-${id} is registered at an invalid address ${JSON.stringify(`${host}:${port}`)}`);
  }
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Renders nginx.conf text for the cluster and a registry listing (instances in id order, every kind routed). */
export type RenderNginxConfig = (cluster: ClusterConfig, snapshot: RegistrySnapshot) => string;

/** Compiles a template file (default: the built-in one) into a renderer; a template that does not compile throws here. */
export function compileNginxTemplate(templateFile?: string): RenderNginxConfig {
  const text = templateFile === undefined ? readAsset(TEMPLATE_ASSET) : readFileSync(templateFile, 'utf8');
  const template = Handlebars.compile(text, { noEscape: true, strict: false });
  // As root, nginx would hand its workers to `nobody`, who may not reach a state dir under a private folder.
  const workerUser = process.getuid?.() === 0 ? userInfo().username : undefined;
  return (cluster, snapshot) => {
    const paths = stateLayout(cluster.stateDir).nginx;
    const routes = SERVICE_KINDS.map((kind) => ({
      name: kind,
      ...ROUTES[kind],
      servers: [...(snapshot.services[kind] ?? [])]
        .sort((a, b) => a.id - b.id)
        .map(({ id, host, port }) => ({ id, address: upstreamAddress(kind, id, host, port) })),
    }));
    return template({
      index: snapshot.index,
      user: workerUser,
      ...paths,
      workers: cluster.gateway.workers,
      host: cluster.host,
      port: cluster.gateway.port,
      balance: cluster.gateway.balance === 'round_robin' ? '' : cluster.gateway.balance,
      cache: cluster.gateway.cache,
      bodyLimit: `${Math.ceil(cluster.http.bodyLimitBytes / 1024)}k`,
      loginRate: cluster.gateway.loginRate,
      loginBurst: cluster.gateway.loginBurst,
      routes,
    });
  };
}

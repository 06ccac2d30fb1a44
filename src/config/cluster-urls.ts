import type { ClusterConfig } from './cluster-schema.js';
import { httpUrl } from '../common/http-url.js';

/** The registry URL of a cluster file. */
export function registryUrlOf(cluster: ClusterConfig): string {
  return httpUrl(cluster.host, cluster.iscs.port);
}

/** The gateway (nginx) URL of a cluster file. */
export function gatewayUrlOf(cluster: ClusterConfig): string {
  return httpUrl(cluster.host, cluster.gateway.port);
}

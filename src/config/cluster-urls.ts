import type { ClusterConfig } from './cluster-schema.js';
import { httpUrl } from '../common/http-url.js';

/** The registry URL of a cluster file. */
export function registryUrlOf(cluster: ClusterConfig): string {
  return httpUrl(cluster.container?.iscsHost ?? cluster.host, cluster.iscs.port);
}

/** The gateway (nginx) URL of a cluster file. */
export function gatewayUrlOf(cluster: ClusterConfig): string {
  return httpUrl(cluster.host, cluster.gateway.port);
}

/** Where redis-server is reached: the cluster's host, or its name on the container network. */
export function redisHostOf(cluster: ClusterConfig): string {
  return cluster.container?.redisHost ?? cluster.host;
}

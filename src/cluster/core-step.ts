import type { ClusterConfig } from '../config/cluster-schema.js';
import { ensureCredentials } from '../config/ensure-credentials.js';
import { registryUrlOf } from '../config/cluster-urls.js';
import type { InstanceSpec } from '../runtime/runtime.js';
import { probeTcp } from '../kit/probe-port.js';
import { probeHttp, probeRedis } from './probe-health.js';
import { clusterNginxSpec, iscsSpec, prometheusSpec, redisSpec } from './process-specs.js';
import { httpUrl } from '../common/http-url.js';

/** The steps of the start plan that are one process each, not a service kind. */
export type CoreStep = 'redis' | 'iscs' | 'nginx' | 'prometheus';

/** Whether a step of the start plan is one process rather than a service kind. */
export function isCoreStep(step: string): step is CoreStep {
  return step === 'redis' || step === 'iscs' || step === 'nginx' || step === 'prometheus';
}

/** What a core step runs, how its health is probed, and the progress line announcing it. */
export function coreStep(cluster: ClusterConfig, step: CoreStep): { line: string; spec: InstanceSpec; probe: () => Promise<boolean> } {
  switch (step) {
    case 'redis': {
      const { redisPassword } = ensureCredentials(cluster.stateDir);
      const spec = redisSpec(cluster);
      return { line: `starting redis-server on :${cluster.redis.port}`, spec, probe: () => probeRedis(cluster.host, cluster.redis.port, redisPassword) };
    }
    case 'iscs':
      return { line: `starting the registry on :${cluster.iscs.port}`, spec: iscsSpec(cluster), probe: () => probeHttp(`${registryUrlOf(cluster)}/health`) };
    case 'nginx':
      return {
        line: `starting nginx gateway on :${cluster.gateway.port}`,
        spec: clusterNginxSpec(cluster),
        probe: () => probeTcp(cluster.host, cluster.gateway.port),
      };
    case 'prometheus':
      return {
        line: `starting prometheus on :${cluster.prometheus.port}`,
        spec: prometheusSpec(cluster),
        probe: () => probeHttp(httpUrl(cluster.host, cluster.prometheus.port, '/-/ready')),
      };
  }
}

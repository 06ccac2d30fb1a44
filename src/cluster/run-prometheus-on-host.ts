import { processRuntime } from '../runtime/process-runtime.js';
import type { Runtime } from '../runtime/runtime.js';

/**
 * The cluster's runtime, except that Prometheus always runs as a local process (pid file in `pidsDir`): it is a
 * host tool scraping the instances wherever they run, and a container runtime has no image for it. Every other
 * member of the runtime (`close`, `listenHost`, ...) is the wrapped one's.
 */
export function runPrometheusOnHost<R extends Runtime>(runtime: R, pidsDir: string): R {
  let host: Runtime | undefined;
  const start: Runtime['start'] = (spec) => (spec.service === 'prometheus' ? (host ??= processRuntime({ pidsDir })).start(spec) : runtime.start(spec));
  return new Proxy(runtime, { get: (target, key) => (key === 'start' ? start : Reflect.get(target, key, target)) });
}

/** The supervisor's runtime: the one given (local process groups with pid files in `pidsDir` by default), Prometheus on the host. */
export function clusterRuntime(runtime: Runtime | undefined, pidsDir: string): Runtime {
  return runPrometheusOnHost(runtime ?? processRuntime({ pidsDir }), pidsDir);
}

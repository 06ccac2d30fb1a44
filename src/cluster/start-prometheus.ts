import { setTimeout as sleep } from 'node:timers/promises';
import { EcomError } from '../common/ecom-error.js';
import { httpUrl } from '../common/http-url.js';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { SUPERVISOR_TIMINGS } from '../config/defaults.js';
import { stateLayout } from '../config/state-layout.js';
import { processRuntime } from '../runtime/process-runtime.js';
import type { Runtime } from '../runtime/runtime.js';
import { probeHttp } from './probe-health.js';
import { prometheusSpec } from './process-specs.js';

/** A running Prometheus started outside the supervisor. */
export interface PrometheusHandle {
  /** Its HTTP API and UI, e.g. `http://127.0.0.1:9190`. */
  url: string;
  pid: number | undefined;
  /** SIGTERM, then a hard kill of its group after the grace period; idempotent. */
  stop(): Promise<void>;
  /** Same as `stop()`. */
  close(): Promise<void>;
}

/** Prometheus' URL for a cluster file (whether or not it is enabled). */
export function prometheusUrlOf(cluster: ClusterConfig): string {
  return httpUrl(cluster.host, cluster.prometheus.port);
}

/**
 * Starts the cluster's Prometheus unsupervised (tests, and tools that want one without `ecom up`): its files
 * written, the process started through the runtime; resolves once `/-/ready` answers 200.
 */
export async function startPrometheus(cluster: ClusterConfig, options: { runtime?: Runtime; timeoutMs?: number } = {}): Promise<PrometheusHandle> {
  const runtime = options.runtime ?? processRuntime();
  const handle = runtime.start(prometheusSpec(cluster));
  const url = prometheusUrlOf(cluster);
  let exit: string | undefined;
  void handle.exited.then((e) => (exit = `prometheus exited with ${e.code ?? e.signal}`));
  const deadline = Date.now() + (options.timeoutMs ?? SUPERVISOR_TIMINGS.startTimeoutMs);
  while (!(await probeHttp(`${url}/-/ready`))) {
    if (exit !== undefined || Date.now() > deadline) {
      await handle.stop(0);
      throw new EcomError('start_failed', `prometheus did not start: ${exit ?? 'timed out'}`, {
        hint: `see ${stateLayout(cluster.stateDir).logFile('prometheus')}`,
      });
    }
    await sleep(50);
  }
  const stop = (): Promise<void> => handle.stop();
  return { url, pid: handle.pid, stop, close: stop };
}

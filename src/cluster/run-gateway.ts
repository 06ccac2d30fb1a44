import type { ClusterConfig } from '../config/cluster-schema.js';
import { stateLayout } from '../config/state-layout.js';
import { startGateway } from '../gateway/start-gateway.js';
import type { Logger } from '../kit/create-logger.js';
import type { Runtime } from '../runtime/runtime.js';
import { startNginx } from './start-nginx.js';

/** A gateway running on its own (`ecom nginx start`). */
export interface RunningGateway {
  nginxPid: number | undefined;
  /** Stops following the registry and stops nginx; idempotent. */
  close(): Promise<void>;
}

/** Runs the gateway without the supervisor: the shared assembly (start-gateway) with nginx started through the runtime. */
export async function runGateway(options: {
  cluster: ClusterConfig;
  registryUrl: string;
  log: Logger;
  templateFile?: string;
  runtime?: Runtime;
}): Promise<RunningGateway> {
  const gateway = startGateway(options);
  try {
    const nginx = await gateway.serve(() => startNginx(stateLayout(options.cluster.stateDir).nginx, { runtime: options.runtime }));
    return { nginxPid: nginx.pid, close: () => gateway.close() };
  } catch (err) {
    await gateway.close();
    throw err;
  }
}

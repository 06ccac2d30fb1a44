import { startNginx, type NginxHandle } from '../../src/cluster/start-nginx.js';
import type { ClusterConfig } from '../../src/config/cluster-schema.js';
import { stateLayout } from '../../src/config/state-layout.js';
import { compileNginxTemplate } from '../../src/gateway/render-nginx-config.js';
import { syncProxy, type ProxySync } from '../../src/gateway/sync-proxy.js';
import { createLogger } from '../../src/kit/create-logger.js';
import type { RegistrySnapshot } from '../../src/registry/registry-state.js';

/** A logger that drops everything (errors included). */
export const quietLog = createLogger({
  service: 'test',
  instance: 'test',
  level: 'error',
  out: { write: () => true } as unknown as NodeJS.WritableStream,
});

/** A registry entry for a test listing. */
export const at = (id: number, port: number, host = '127.0.0.1') => ({ id, host, port, registeredAt: '', lastHeartbeat: '' });

/** The gateway modes a test can run in: `gateway.endpoints` of its cluster file. */
export const ENDPOINT_MODES = ['lua', 'reload'] as const;

/** A real nginx serving a listing the way the cluster does (proxy sync first, then nginx); `close()` stops both. */
export interface TestGateway {
  sync: ProxySync;
  nginx: NginxHandle;
  close(): Promise<void>;
}

/** Applies `snapshot` with a proxy sync (config, and peers file in Lua mode), then starts nginx on it. */
export async function serveTestGateway(cluster: ClusterConfig, snapshot: RegistrySnapshot): Promise<TestGateway> {
  const sync = syncProxy({ cluster, render: compileNginxTemplate(), log: quietLog });
  sync.update(snapshot);
  await sync.flush();
  const error = sync.status().lastError;
  if (error) {
    await sync.close();
    throw new Error(error.message);
  }
  const nginx = await startNginx(stateLayout(cluster.stateDir).nginx);
  return {
    sync,
    nginx,
    async close() {
      await sync.close();
      await nginx.close();
    },
  };
}

import { readGatewayStats, type GatewayStats } from './call-gateway-admin.js';

/** The gateway's per-peer figures, refreshed in the background so a status call can read them at once. */
export interface GatewayStatsWatch {
  /** The last figures read, undefined when the admin server did not answer the last time. */
  latest(): GatewayStats | undefined;
  close(): void;
}

/** Polls the admin server's GET /stats every `everyMs` while `port()` names one. */
export function watchGatewayStats(options: { port: () => number | undefined; token: string; everyMs?: number }): GatewayStatsWatch {
  let latest: GatewayStats | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async (): Promise<void> => {
    const port = options.port();
    latest = port === undefined ? undefined : await readGatewayStats(port, options.token).catch(() => undefined);
    if (!closed) timer = setTimeout(() => void poll(), options.everyMs ?? 1000).unref();
  };
  void poll();
  return {
    latest: () => latest,
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}

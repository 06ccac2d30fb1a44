import { isIP } from 'node:net';
import type { RequestHandler, Router } from 'express';
import type { RegistrySnapshot } from './registry-state.js';

/** The path of the registry's Prometheus HTTP service-discovery endpoint. */
export const PROMETHEUS_TARGETS_PATH = '/v1/prometheus/targets';

/** One target group of Prometheus' HTTP service discovery (`http_sd_configs`). */
export interface PrometheusTargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/** A registry meta key as a Prometheus label name: anything but letters, digits and `_` becomes `_`. */
const labelName = (key: string): string => key.replace(/[^A-Za-z0-9_]/g, '_');

/**
 * Every registered instance as its own target group, in service then id order: `host:port`, and the labels `service`,
 * `instance_id` and `instance` (`<service>-<id>`, as in `X-Instance-Id`), plus each meta value as
 * `__meta_iscs_<key>` for relabelling (Prometheus drops `__meta_` labels after relabelling).
 */
export function prometheusTargets(snapshot: RegistrySnapshot): PrometheusTargetGroup[] {
  return Object.keys(snapshot.services)
    .sort()
    .flatMap((service) =>
      [...(snapshot.services[service] ?? [])]
        .sort((a, b) => a.id - b.id)
        .map(({ id, host, port, meta }) => ({
          targets: [isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`],
          labels: {
            service,
            instance_id: String(id),
            instance: `${service}-${id}`,
            ...Object.fromEntries(Object.entries(meta ?? {}).map(([k, v]) => [`__meta_iscs_${labelName(k)}`, v])),
          },
        })),
    );
}

/** Adds `GET /v1/prometheus/targets` to the registry's routes, behind `guard` (the cluster token). */
export function serveTargetsForPrometheus(routes: Router, guard: RequestHandler, snapshot: () => RegistrySnapshot): void {
  routes.get(PROMETHEUS_TARGETS_PATH, guard, (_req, res) => {
    res.json(prometheusTargets(snapshot()));
  });
}

import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One instance's Prometheus registry with the HTTP metrics every service records. */
export interface ServiceMetrics {
  registry: Registry;
  /** Express middleware counting requests and timing them by method, route and status. */
  track(req: Request, res: Response, next: NextFunction): void;
  counter(name: string, help: string, labelNames?: string[]): Counter;
}

/** Creates the metrics of one service instance (default process metrics included). */
export function createMetrics(labels: { service: string; instance_id: string }): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  // prom-client names these gauges *_total, which `promtool check metrics` rejects; the per-type gauges remain.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }
  const requests = new Counter({
    name: 'ecom_http_requests_total',
    help: 'HTTP requests answered, by method, route and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'ecom_http_request_duration_seconds',
    help: 'HTTP request latency in seconds, by method, route and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const counters = new Map<string, Counter>();
  return {
    registry,
    track(req, res, next) {
      const start = process.hrtime.bigint();
      res.once('finish', () => {
        const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
        const l = { method: req.method, route, status: String(res.statusCode) };
        requests.inc(l);
        duration.observe(l, Number(process.hrtime.bigint() - start) / 1e9);
      });
      next();
    },
    counter(name, help, labelNames = []) {
      let c = counters.get(name);
      if (!c) {
        c = new Counter({ name, help, labelNames, registers: [registry] });
        counters.set(name, c);
      }
      return c;
    },
  };
}

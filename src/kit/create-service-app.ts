import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import { EcomError } from '../common/ecom-error.js';
import type { Logger } from './create-logger.js';
import type { ServiceMetrics } from './create-metrics.js';
import { httpError } from './http-error.js';
import { isBusyError } from './is-busy-error.js';
import type { LatencyFault } from './inject-latency.js';

/**
 * Routers match paths exactly as written: `/api/users/LOGIN` or `/api/users/login/` is not login. Express otherwise
 * ignores case and a trailing slash, which let clients walk around the gateway's exact-path rate limit.
 */
export const STRICT_ROUTING = { caseSensitive: true, strict: true } as const;

/** Express app every service shares: instance header, metrics, JSON bodies with a size limit, JSON errors, 404. */
export function createServiceApp(options: {
  instanceId: string;
  bodyLimitBytes: number;
  metrics: ServiceMetrics;
  log: Logger;
  health: () => Record<string, unknown>;
  routes: Router;
  /** Added latency switched on by `ecom chaos` (its `delay` runs before the routes). */
  latency?: LatencyFault;
}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    res.setHeader('X-Instance-Id', options.instanceId);
    options.metrics.track(req, res, next);
  });
  if (options.latency) app.use(options.latency.delay);
  const json = express.json({ limit: options.bodyLimitBytes, strict: false, type: ['application/json', 'application/*+json'] });
  // Reads carry no body: skip the parser on the hot path.
  app.use((req, res, next) => (req.method === 'GET' || req.method === 'HEAD' ? next() : json(req, res, next)));
  app.use(options.routes);
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', instance: options.instanceId, ...options.health() });
  });
  app.get('/metrics', (_req, res, next) => {
    options.metrics.registry.metrics().then((text) => {
      res.setHeader('Content-Type', options.metrics.registry.contentType);
      res.end(text);
    }, next);
  });
  app.use((req, _res, next) => next(httpError(404, 'route_not_found', `no route for ${req.method} ${req.path}`)));
  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const e = toHttpError(err);
    if (e.status >= 500) {
      options.log.error('request failed', {
        method: req.method,
        path: req.path,
        code: e.code,
        error: err instanceof Error ? err.message : String(err),
      });
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body: { error: { code: string; message: string; details?: unknown } } = {
      error: { code: e.code, message: e.message },
    };
    if (e.details !== undefined) body.error.details = e.details;
    if (e.code === 'database_busy') res.setHeader('Retry-After', '1');
    res.status(e.status).json(body);
  };
  app.use(onError);
  return app;
}

function toHttpError(err: unknown): EcomError {
  if (err instanceof EcomError) return err;
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.parse.failed') return httpError(400, 'malformed_json', 'request body is not valid JSON');
  if (e?.type === 'entity.too.large') return httpError(413, 'payload_too_large', 'request body is too large');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return httpError(415, 'unsupported_encoding', e.message ?? 'unsupported body encoding');
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return httpError(e.status, 'bad_request', e.message ?? 'bad request');
  }
  // A statement that met another process's SQLite lock and was not retried (a read while another connection rebuilds
  // the WAL index): the request can succeed a moment later, so it is a 503, which the gateway moves to another
  // instance for GET and HEAD, not a 500.
  if (isBusyError(err)) {
    return httpError(503, 'database_busy', 'the database is busy; retry shortly');
  }
  return httpError(500, 'internal_error', 'internal error');
}

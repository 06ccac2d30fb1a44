import { Router } from 'express';
import { Counter, Gauge } from 'prom-client';
import { z } from 'zod';
import type { Credentials } from '../config/ensure-credentials.js';
import { parseDuration } from '../common/parse-duration.js';
import { authorizeRequests } from '../kit/authorize-requests.js';
import type { Logger } from '../kit/create-logger.js';
import { createMetrics } from '../kit/create-metrics.js';
import { STRICT_ROUTING, createServiceApp } from '../kit/create-service-app.js';
import { createTokenService } from '../kit/create-token-service.js';
import { httpError } from '../kit/http-error.js';
import { startHttpServer } from '../kit/start-http-server.js';
import { validateInput } from '../kit/validate-input.js';
import { loadRegistrySnapshot, saveRegistrySnapshot } from './persist-registry.js';
import { RegistryState } from './registry-state.js';
import { serveTargetsForPrometheus } from './serve-targets-for-prometheus.js';
import { isValidHost } from '../common/check-host.js';

/** A running registry server. */
export interface IscsHandle {
  port: number;
  state: RegistryState;
  close(): Promise<void>;
}

const serviceName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'expected a lowercase service name');
const instanceId = z.coerce.number().int().positive();
const registration = z.object({
  host: z.string().refine(isValidHost, 'expected an IP address or an RFC 1123 host name'),
  port: z.number().int().min(1).max(65535),
  meta: z.record(z.string().max(64), z.string().max(256)).optional(),
});
const listQuery = z.object({
  index: z.coerce.number().int().nonnegative().optional(),
  wait: z.string().max(10).optional(),
});
const MAX_WAIT_MS = 5 * 60_000;

/**
 * Starts the ISCS registry (docs/registry-protocol.md): token-guarded writes, idempotent registration,
 * heartbeats, TTL eviction and long-poll listing. With `stateFile`, the listing survives a restart: instances come
 * back with a fresh TTL (live ones keep heartbeating, dead ones are evicted) and the index keeps growing.
 */
export async function startIscsServer(options: {
  host: string;
  port: number;
  ttlMs: number;
  credentials: Pick<Credentials, 'clusterToken' | 'jwtSecret'>;
  log: Logger;
  stateFile?: string;
  bodyLimitBytes?: number;
}): Promise<IscsHandle> {
  const metrics = createMetrics({ service: 'iscs', instance_id: 'iscs' });
  const changes = new Counter({
    name: 'ecom_iscs_changes_total',
    help: 'Changes of the registered set, by kind of change.',
    labelNames: ['change'],
    registers: [metrics.registry],
  });
  const instancesGauge = new Gauge({
    name: 'ecom_iscs_instances',
    help: 'Registered instances per service.',
    labelNames: ['service'],
    registers: [metrics.registry],
    collect() {
      this.reset();
      for (const [service, list] of Object.entries(state.snapshot().services)) this.set({ service }, list.length);
    },
  });
  void instancesGauge;

  let saveTimer: NodeJS.Timeout | undefined;
  const save = (): void => {
    if (!options.stateFile) return;
    clearTimeout(saveTimer);
    saveTimer = undefined;
    saveRegistrySnapshot(options.stateFile, state.snapshot());
  };
  const state = new RegistryState(
    options.ttlMs,
    (change, service, id) => {
      changes.inc({ change });
      options.log.info(`${change} ${service}-${id}`, { change, service, id });
      if (options.stateFile && !saveTimer) saveTimer = setTimeout(save, 50);
    },
    options.stateFile ? loadRegistrySnapshot(options.stateFile) : undefined,
  );
  const sweeper = setInterval(() => state.evictExpired(), Math.max(50, Math.min(250, options.ttlMs / 4)));
  sweeper.unref();
  const polls = new AbortController();

  const auth = authorizeRequests(createTokenService(options.credentials.jwtSecret), options.credentials.clusterToken);
  const routes = Router(STRICT_ROUTING);
  const target = (params: Record<string, unknown>): { service: string; id: number } => ({
    service: validateInput(serviceName, params.service, 'service'),
    id: validateInput(instanceId, params.id, 'id'),
  });
  routes.put('/v1/instances/:service/:id', auth.cluster, (req, res) => {
    const { service, id } = target(req.params);
    state.register(service, id, validateInput(registration, req.body));
    res.json({ ttlMs: options.ttlMs });
  });
  routes.put('/v1/instances/:service/:id/heartbeat', auth.cluster, (req, res) => {
    const { service, id } = target(req.params);
    if (!state.heartbeat(service, id)) throw httpError(404, 'instance_not_found', `${service}-${id} is not registered`);
    res.json({ ttlMs: options.ttlMs });
  });
  routes.delete('/v1/instances/:service/:id', auth.cluster, (req, res) => {
    const { service, id } = target(req.params);
    state.deregister(service, id);
    res.status(204).end();
  });
  serveTargetsForPrometheus(routes, auth.cluster, () => state.snapshot());
  routes.get('/v1/services', async (req, res) => {
    const query = validateInput(listQuery, req.query, 'query');
    // While the registry closes, a poll is answered at once and its connection ends (a client polls again at once).
    if (polls.signal.aborted) res.setHeader('Connection', 'close');
    if (query.index !== undefined && !polls.signal.aborted) {
      const waitMs = Math.min(MAX_WAIT_MS, query.wait ? parseDuration(query.wait, 'wait') : 30_000);
      const done = new AbortController();
      const timer = setTimeout(() => done.abort(), waitMs);
      const onGone = (): void => done.abort();
      polls.signal.addEventListener('abort', onGone);
      res.once('close', onGone);
      await state.waitForChange(query.index, done.signal);
      clearTimeout(timer);
      polls.signal.removeEventListener('abort', onGone);
    }
    const snapshot = state.snapshot();
    res.setHeader('X-Iscs-Index', String(snapshot.index));
    res.json(snapshot);
  });

  const app = createServiceApp({
    instanceId: 'iscs',
    bodyLimitBytes: options.bodyLimitBytes ?? 64 * 1024,
    metrics,
    log: options.log,
    routes,
    health: () => ({ service: 'iscs', index: state.index }),
  });
  // Registry requests are tiny and local; only long polls linger, and those are answered on close. A client that
  // still holds a connection 100 ms after that (seen at every `ecom down`) is cut off.
  const server = await startHttpServer(app, { host: options.host, port: options.port, graceMs: 100 });
  let closing: Promise<void> | undefined;
  return {
    port: server.port,
    state,
    close() {
      closing ??= (async () => {
        clearInterval(sweeper);
        polls.abort();
        await server.close();
        if (saveTimer) save();
      })();
      return closing;
    },
  };
}

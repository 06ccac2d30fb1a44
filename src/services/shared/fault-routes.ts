import { Router } from 'express';
import { z } from 'zod';
import type { Authorizer } from '../../kit/authorize-requests.js';
import type { LatencyFault } from '../../kit/inject-latency.js';
import { STRICT_ROUTING } from '../../kit/create-service-app.js';
import { validateInput } from '../../kit/validate-input.js';

const faultBody = z
  .object({
    latencyMs: z.number().int().min(0).max(60_000),
    forMs: z
      .number()
      .int()
      .min(0)
      .max(10 * 60_000),
  })
  .strict();

/** `PUT /internal/faults {latencyMs, forMs}` (cluster token): how `ecom chaos` slows one instance down for a while. */
export function faultRoutes(latency: LatencyFault, auth: Authorizer): Router {
  const routes = Router(STRICT_ROUTING);
  routes.put('/internal/faults', auth.cluster, (req, res) => {
    const body = validateInput(faultBody, req.body);
    latency.set(body.latencyMs, body.forMs);
    res.json({ latencyMs: latency.current(), forMs: body.forMs });
  });
  return routes;
}

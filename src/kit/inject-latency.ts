import type { RequestHandler } from 'express';

/** Latency added on purpose to one instance's API requests, so `ecom chaos` can make an instance slow. */
export interface LatencyFault {
  /** Delays every `/api/…` request by `latencyMs` until `forMs` from now (0 switches it off). */
  set(latencyMs: number, forMs: number): void;
  /** Express middleware that applies the delay while it is in force. */
  delay: RequestHandler;
  /** The delay in force now, in ms. */
  current(): number;
}

/** A switch for added latency; off until `set` is called (through `PUT /internal/faults`, cluster token only). */
export function createLatencyFault(now: () => number = Date.now): LatencyFault {
  let latencyMs = 0;
  let until = 0;
  const current = (): number => (latencyMs > 0 && now() < until ? latencyMs : 0);
  return {
    set(ms, forMs) {
      latencyMs = Math.max(0, ms);
      until = now() + Math.max(0, forMs);
    },
    current,
    delay(req, _res, next) {
      // Off (the usual case) costs one comparison; only then is the path looked at.
      const ms = current();
      if (ms === 0 || !req.path.startsWith('/api/')) return next();
      setTimeout(next, ms);
    },
  };
}

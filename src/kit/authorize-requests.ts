import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { httpError } from './http-error.js';
import type { TokenClaims, TokenService } from './create-token-service.js';

/** Who is calling: a user with a verified token, or a cluster peer holding the cluster token. */
export type Caller = ({ kind: 'user' } & TokenClaims) | { kind: 'cluster' };

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

function bearer(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw httpError(401, 'invalid_token', 'Authorization must be "Bearer <token>"');
  return match[1];
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Middlewares that establish `req.caller` and gate routes by who is calling. */
export interface Authorizer {
  /** Any signed-in user. */
  user: RequestHandler;
  /** Users with the admin role. */
  admin: RequestHandler;
  /** Cluster peers only (internal routes, log shipping). */
  cluster: RequestHandler;
  /** Admins or cluster peers. */
  adminOrCluster: RequestHandler;
}

/** Builds the authorizer for a token service and the cluster token. */
export function authorizeRequests(tokens: TokenService, clusterToken: string): Authorizer {
  const resolveCaller = async (req: Request, allowCluster: boolean): Promise<Caller> => {
    const token = bearer(req);
    if (!token) throw httpError(401, 'unauthorized', 'missing bearer token');
    if (allowCluster && sameSecret(token, clusterToken)) return { kind: 'cluster' };
    return { kind: 'user', ...(await tokens.verify(token)) };
  };
  const gate =
    (allowCluster: boolean, check: (caller: Caller) => boolean): RequestHandler =>
    (req: Request, _res: Response, next: NextFunction) => {
      resolveCaller(req, allowCluster).then(
        (caller) => {
          if (!check(caller)) return next(httpError(403, 'forbidden', 'not allowed for this caller'));
          req.caller = caller;
          next();
        },
        (err: unknown) => next(err),
      );
    };
  return {
    user: gate(false, (c) => c.kind === 'user'),
    admin: gate(false, (c) => c.kind === 'user' && c.role === 'admin'),
    cluster: gate(true, (c) => c.kind === 'cluster'),
    adminOrCluster: gate(true, (c) => c.kind === 'cluster' || c.role === 'admin'),
  };
}

/** The signed-in user of a request that passed `authorizer.user` or `authorizer.admin`. */
export function currentUser(req: Request): TokenClaims {
  const caller = req.caller;
  if (!caller || caller.kind !== 'user') throw httpError(401, 'unauthorized', 'missing bearer token');
  return caller;
}

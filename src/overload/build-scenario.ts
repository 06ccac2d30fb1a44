import { randomUUID } from 'node:crypto';
import { EcomError, UsageError } from '../common/ecom-error.js';
import { LOAD_USERS } from '../config/defaults.js';
import { signInLoadUsers } from './sign-in-load-users.js';

/** Methods `--method` accepts. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** One request a virtual user wants sent. */
export interface RequestSpec {
  method: HttpMethod;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Safe to send twice (retried once when a reused keep-alive connection was closed before any response). */
  idempotent: boolean;
  /** The kind of request, for the per-endpoint breakdown (`product`, `list`, `search`, `checkout`, `GET /path`). */
  endpoint?: string;
}

/** A virtual user: produces its next request. */
export interface VirtualUser {
  next(): RequestSpec;
}

/** Uncounted set-up calls (catalogue discovery, registration, login). */
export type SetupCall = (method: 'GET' | 'POST', path: string, body?: unknown, token?: string) => Promise<{ status: number; body: JsonObject | undefined }>;

/** A parsed JSON object answer; fields are read with a cast where their shape is known. */
export type JsonObject = Record<string, unknown>;

/** A load scenario: what it discovers first, and how each virtual user behaves. */
export interface Scenario {
  name: string;
  prepare(call: SetupCall): Promise<void>;
  createUser(vu: number, call: SetupCall): Promise<VirtualUser>;
  /** What `prepare` found, as plain data a load worker thread rebuilds the scenario from (restore-scenario.ts); without it the load stays in one thread. */
  state?(): ScenarioState;
}

/** A prepared scenario as plain, cloneable data: the `--target` request, or the cluster scenario and what set-up found. */
export type ScenarioState = { kind: 'target'; request: TargetRequest } | ({ kind: 'cluster'; name: ScenarioName } & PreparedCatalogue);

/** What a cluster scenario's set-up discovered: product ids, list cursors, search words, load users' tokens. */
export interface PreparedCatalogue {
  ids: number[];
  cursors: string[];
  words: string[];
  tokens: string[];
}

/** Scenario names of `--scenario`. */
export const SCENARIOS = ['product', 'browse', 'checkout', 'mix'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const JSON_HEADERS = { 'content-type': 'application/json' };

/** The one request `--target URL` repeats, as `-X/--method`, `-H/--header` and `--body` shape it. */
export interface TargetRequest {
  method: HttpMethod;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The same request again and again (used with `--target URL`): plain GETs by default. Only GET, HEAD, OPTIONS, PUT
 * and DELETE are resent when a reused connection closed before any answer (they are idempotent by HTTP's rules).
 */
export function targetScenario(request: TargetRequest): Scenario {
  const idempotent = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'].includes(request.method);
  const spec: RequestSpec = { ...request, idempotent, endpoint: `${request.method} ${request.path.split('?')[0]}` };
  return {
    name: request.method === 'GET' ? 'get' : request.method.toLowerCase(),
    prepare: async () => undefined,
    createUser: async () => ({ next: () => spec }),
    state: () => ({ kind: 'target', request }),
  };
}

/** Plain GETs of one path. */
export function plainGetScenario(path: string): Scenario {
  return targetScenario({ method: 'GET', path, headers: {} });
}

/** How a scenario signs its virtual users in: `users` accounts shared by all of them, and where progress goes. */
export interface ScenarioOptions {
  users?: number;
  onProgress?: (line: string) => void;
}

/**
 * Builds a scenario against the cluster's API. `product` and `browse` need a seeded catalogue (`ecom seed`);
 * `checkout` and `mix` sign `users` accounts in once and share them among the virtual users. Given `prepared` (what
 * another thread's set-up found), `prepare` does nothing.
 */
export function buildScenario(name: ScenarioName, options: ScenarioOptions = {}, prepared?: PreparedCatalogue): Scenario {
  if (!(SCENARIOS as readonly string[]).includes(name)) {
    throw new UsageError('invalid_scenario', `--scenario: expected one of ${SCENARIOS.join(', ')}, got "${name}"`);
  }
  let ids: number[] = prepared?.ids ?? [];
  let cursors: string[] = prepared?.cursors ?? [];
  let words: string[] = prepared?.words ?? [];
  let tokens: string[] = prepared?.tokens ?? [];

  const productGet = (): RequestSpec => ({ method: 'GET', path: `/api/products/${pick(ids)}`, headers: {}, idempotent: true, endpoint: 'product' });
  const browse = (): RequestSpec =>
    Math.random() < 0.5
      ? {
          method: 'GET',
          path: `/api/products?limit=20${cursors.length ? `&cursor=${pick(['', ...cursors])}` : ''}`.replace(/&cursor=$/, ''),
          headers: {},
          idempotent: true,
          endpoint: 'list',
        }
      : { method: 'GET', path: `/api/products?limit=20&q=${encodeURIComponent(pick(words))}`, headers: {}, idempotent: true, endpoint: 'search' };
  const checkout = (token: string): RequestSpec => {
    const count = 1 + Math.floor(Math.random() * 3);
    const chosen = [...new Set(Array.from({ length: count }, () => pick(ids)))];
    return {
      method: 'POST',
      path: '/api/orders',
      headers: { ...JSON_HEADERS, authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() },
      body: JSON.stringify({ items: chosen.map((productId) => ({ productId, quantity: 1 })) }),
      // The Idempotency-Key makes a resend safe by contract: the same key never places a second order.
      idempotent: true,
      endpoint: 'checkout',
    };
  };
  return {
    name,
    state: () => ({ kind: 'cluster', name, ids, cursors, words, tokens }),
    async prepare(call) {
      if (prepared) return;
      let cursor: string | null = null;
      do {
        const res = await call('GET', `/api/products?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
        if (res.status !== 200)
          throw new EcomError('scenario_setup_failed', `listing products answered ${res.status}`, {
            hint: 'is the cluster up? (`ecom status`)',
          });
        const items = (res.body?.items ?? []) as Array<{ id: number; name: string; stock: number }>;
        ids.push(...items.filter((p) => p.stock > 0 || name !== 'checkout').map((p) => p.id));
        words.push(...items.flatMap((p) => p.name.split(/\s+/)).filter((w) => w.length > 2));
        cursor = (res.body?.nextCursor ?? null) as string | null;
        if (cursor) cursors.push(cursor);
      } while (cursor && ids.length < 2000);
      ids = [...new Set(ids)];
      words = [...new Set(words)].slice(0, 200);
      cursors = cursors.slice(0, 50);
      if (ids.length === 0) {
        throw new EcomError('no_products', 'the catalogue is empty, nothing to load-test', {
          hint: 'seed it first: `ecom seed --products 100`',
        });
      }
      if (name === 'checkout' || name === 'mix') {
        tokens = await signInLoadUsers(call, { count: options.users ?? LOAD_USERS.count, parallel: LOAD_USERS.signInParallel, onProgress: options.onProgress });
      }
    },
    async createUser(vu) {
      switch (name) {
        case 'product':
          return { next: productGet };
        case 'browse':
          return { next: browse };
        case 'checkout': {
          const token = tokens[(vu - 1) % tokens.length]!;
          return { next: () => checkout(token) };
        }
        case 'mix': {
          const token = tokens[(vu - 1) % tokens.length]!;
          return {
            next: () => {
              const r = Math.random();
              return r < 0.7 ? productGet() : r < 0.9 ? browse() : checkout(token);
            },
          };
        }
      }
    },
  };
}

import { Agent, request, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** What a GET loop saw between its start and `stop()`. */
export interface GetLoopResult {
  /** GETs counted (a retried GET counts once). */
  total: number;
  /** GETs that did not end in a 200, after the one retry a client may make. */
  failures: number;
  /** GETs sent again because their kept-alive connection closed before any byte of the answer. */
  retries: number;
  /** The first failures, as `STATUS body` or the error code. */
  reasons: string[];
  /** The longest a GET took, its retry included, in milliseconds. */
  slowestMs: number;
}

/** A running GET loop; `seen` counts answers by `X-Instance-Id`. */
export interface GetLoop {
  seen: Map<string, number>;
  stop(): Promise<GetLoopResult>;
}

type Answer = { status: number; instance?: string; body: string };
type GetError = Error & { code?: string; retryable?: boolean };

/**
 * One GET over the agent's kept-alive connections. An error is `retryable` only as HTTP lets a client retry it
 * (RFC 9110, 9.2.2): an idempotent request whose connection was reset (`ECONNRESET`, `EPIPE`) before any byte of the
 * answer arrived — nginx closing an idle kept-alive connection on reload, or a connection an old worker had just
 * accepted but not yet read. Once part of an answer arrived, or for any other error, it is a failure.
 */
function getOnce(agent: Agent, url: string, headers: OutgoingHttpHeaders): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let socket: Socket | undefined;
    let bytesBefore = 0;
    let answered = false;
    const req = request(url, { agent, headers }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, instance: res.headers['x-instance-id'] as string | undefined, body }));
      res.on('error', reject);
    });
    req.on('socket', (s) => {
      socket = s;
      bytesBefore = s.bytesRead;
    });
    req.on('error', (err: GetError) => {
      const nothingArrived = !answered && socket !== undefined && socket.bytesRead === bytesBefore;
      err.retryable = nothingArrived && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
      reject(err);
    });
    req.end();
  });
}

/**
 * GETs `url` from `workers` loops at once, each sending its next GET when the previous one ended, until `stop()`:
 * the shared load of the tests that change a live cluster and assert that no request failed. A GET is retried
 * once only when getOnce says a client may (and counted in `retries`); anything else that is not a 200 is a failure.
 */
export function startGetLoop(url: string, options: { workers?: number; headers?: OutgoingHttpHeaders } = {}): GetLoop {
  const workers = options.workers ?? 4;
  const headers = options.headers ?? {};
  const agent = new Agent({ keepAlive: true, maxSockets: workers });
  const seen = new Map<string, number>();
  const result: GetLoopResult = { total: 0, failures: 0, retries: 0, reasons: [], slowestMs: 0 };
  let running = true;
  const attempt = async (): Promise<Answer | GetError> => {
    const first = await getOnce(agent, url, headers).catch((err: GetError) => err);
    if (!(first instanceof Error) || !first.retryable) return first;
    result.retries++;
    // The retry goes over a new connection, as browsers do: after a reload the pool may hold more dying ones.
    await sleep(20);
    const fresh = new Agent({ keepAlive: false });
    try {
      return await getOnce(fresh, url, headers).catch((err: GetError) => err);
    } finally {
      fresh.destroy();
    }
  };
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      const started = Date.now();
      const outcome = await attempt();
      result.slowestMs = Math.max(result.slowestMs, Date.now() - started);
      result.total++;
      if (outcome instanceof Error || outcome.status !== 200) {
        result.failures++;
        if (result.reasons.length < 10)
          result.reasons.push(outcome instanceof Error ? (outcome.code ?? outcome.message) : `${outcome.status} ${outcome.body.slice(0, 200)}`);
      }
      if (!(outcome instanceof Error) && outcome.instance) seen.set(outcome.instance, (seen.get(outcome.instance) ?? 0) + 1);
    }
  });
  return {
    seen,
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return result;
    },
  };
}

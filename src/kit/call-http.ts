import { Agent, request } from 'node:http';

/** One answer: its status and its body as text. */
export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
}

/** Keep-alive connections shared by every call of this process; a registry long-poll holds one for up to its wait. */
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/**
 * One HTTP call to `url` over a kept-alive connection (node:http, which every process has loaded already: neither
 * the global fetch, whose loading costs a process about 120 ms of CPU, nor undici's pool, about 10 ms, lies on the
 * start-up path of a service or of the daemon). Fails when the whole exchange takes longer than `timeoutMs`, or
 * when `signal` aborts.
 */
export function callHttp(
  url: string,
  options: { method?: 'GET' | 'PUT' | 'POST' | 'DELETE'; headers?: Record<string, string>; body?: string; timeoutMs: number; signal?: AbortSignal },
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const req = request({
      host: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port,
      path: `${target.pathname}${target.search}`,
      method: options.method ?? 'GET',
      headers: { ...options.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      agent,
      signal: options.signal,
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer from ${target.origin} within ${options.timeoutMs} ms`)), options.timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      reject(err);
    };
    req.once('error', fail);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', fail);
      res.once('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end(body);
  });
}

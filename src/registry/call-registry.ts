import { callHttp } from '../kit/call-http.js';

/** The registry's answer to one call: its status and its parsed JSON body (undefined when it sent none). */
export interface RegistryAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * One HTTP call to the registry at `registryUrl` over a pooled keep-alive connection shared by registration,
 * heartbeats and watches (callHttp). Fails when no answer's headers arrive within `timeoutMs` or when `signal` aborts.
 */
export async function callRegistry(
  registryUrl: string,
  path: string,
  options: { method?: 'GET' | 'PUT' | 'DELETE'; headers?: Record<string, string>; body?: string; timeoutMs: number; signal?: AbortSignal },
): Promise<RegistryAnswer> {
  const { status, text } = await callHttp(`${registryUrl.replace(/\/$/, '')}${path}`, options);
  return { status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

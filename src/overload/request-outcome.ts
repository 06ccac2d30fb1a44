/** The outcome of one request as the engine saw it. */
export type RequestOutcome =
  | { kind: 'response'; status: number; latencyUs: number; instance?: string | undefined; cache?: string | undefined }
  | { kind: 'failure'; error: string; latencyUs: number };

/** The error kind of an outcome (`HTTP_<status>` for 4xx/5xx, the transport code for failures), or undefined when ok. */
export function errorOf(outcome: RequestOutcome): string | undefined {
  if (outcome.kind === 'failure') return outcome.error;
  return outcome.status >= 400 ? `HTTP_${outcome.status}` : undefined;
}

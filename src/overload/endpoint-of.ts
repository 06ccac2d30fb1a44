import type { RequestSpec } from './build-scenario.js';

/** The endpoint a request counts under: its scenario's label, else its method and path without the query. */
export function endpointOf(spec: RequestSpec): string {
  return spec.endpoint ?? `${spec.method} ${spec.path.split('?')[0]}`;
}

import type { RequestSpec } from './build-scenario.js';

/**
 * Encodes request specs for one origin as HTTP/1.1 bytes, once per spec object (a scenario hands out the same spec
 * many times), so the pool writes each request in one piece without building it again.
 */
export function createRequestEncoder(host: string): (spec: RequestSpec) => Buffer {
  const hostHeader = `Host: ${host}\r\n`;
  const encoded = new WeakMap<RequestSpec, Buffer>();
  // `--target` repeats one spec: the last one is checked before the map.
  let lastSpec: RequestSpec | undefined;
  let lastBuf: Buffer | undefined;
  return (spec) => {
    if (spec === lastSpec) return lastBuf!;
    let buf = encoded.get(spec);
    if (!buf) {
      let head = `${spec.method} ${spec.path} HTTP/1.1\r\n${hostHeader}`;
      for (const [k, v] of Object.entries(spec.headers)) head += `${k}: ${v}\r\n`;
      const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
      if (body) head += `content-length: ${body.length}\r\n`;
      head += '\r\n';
      buf = body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
      encoded.set(spec, buf);
    }
    lastSpec = spec;
    lastBuf = buf;
    return buf;
  };
}

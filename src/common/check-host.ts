import { isIP } from 'node:net';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * Whether `host` is an IP literal or an RFC 1123 host name — nothing else. Registrations end up inside nginx.conf,
 * so anything with spaces, `;`, braces or `:` past an IPv6 literal must never get that far.
 */
export function isValidHost(host: string): boolean {
  if (isIP(host) !== 0) return true;
  if (host.length === 0 || host.length > 253) return false;
  return host.split('.').every((label) => LABEL.test(label));
}

/** Whether `port` is a TCP port an instance can listen on. */
export function isValidPort(port: unknown): port is number {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535;
}

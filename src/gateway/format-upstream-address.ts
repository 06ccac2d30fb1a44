import { isIP } from 'node:net';
import { isValidHost, isValidPort } from '../common/check-host.js';
import { EcomError } from '../common/ecom-error.js';

/** `host:port` as nginx writes it; refuses anything that is not an address (defence behind the registry). */
export function upstreamAddress(kind: string, id: number, host: string, port: number): string {
  if (!isValidHost(host) || !isValidPort(port)) {
    throw new EcomError('gateway_config_invalid', `${kind}-${id} is registered at an invalid address ${JSON.stringify(`${host}:${port}`)}`);
  }
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

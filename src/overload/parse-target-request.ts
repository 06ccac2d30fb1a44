import { readFileSync } from 'node:fs';
import { UsageError } from '../common/ecom-error.js';
import { HTTP_METHODS, type HttpMethod, type TargetRequest } from './build-scenario.js';

/** Header names the engine writes itself (or that would break its framing), refused in `-H`. */
const RESERVED = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The request `--target` repeats, from `--method`, `-H/--header` (repeatable, `Name: value`), `--body` or
 * `--body-file`; each malformed or conflicting flag is a usage error naming it. Without `--target` these flags
 * have no request to shape and are refused.
 */
export function parseTargetRequest(
  flags: { target?: string; scenario?: string; method?: string; header?: string[]; body?: string; bodyFile?: string },
  path: string,
): TargetRequest {
  const shaped = flags.method !== undefined || (flags.header ?? []).length > 0 || flags.body !== undefined || flags.bodyFile !== undefined;
  if (shaped && (!flags.target || flags.scenario)) {
    throw new UsageError('invalid_option', '--method, --header, --body and --body-file shape the --target request: pass --target URL (without --scenario)');
  }
  const method = (flags.method ?? 'GET').toUpperCase();
  if (!(HTTP_METHODS as readonly string[]).includes(method)) {
    throw new UsageError('invalid_option', `--method: expected one of ${HTTP_METHODS.join(', ')}, got "${flags.method}"`);
  }
  const headers: Record<string, string> = {};
  for (const raw of flags.header ?? []) {
    const colon = raw.indexOf(':');
    const name = colon > 0 ? raw.slice(0, colon).trim() : '';
    const value = colon > 0 ? raw.slice(colon + 1).trim() : '';
    if (!TOKEN.test(name) || /[\r\n]/.test(value))
      throw new UsageError('invalid_option', `--header "${raw}": expected "Name: value", e.g. "Authorization: Bearer abc"`);
    if (RESERVED.has(name.toLowerCase())) throw new UsageError('invalid_option', `--header "${raw}": ${name} is set by ecom itself`);
    headers[name] = value;
  }
  if (flags.body !== undefined && flags.bodyFile !== undefined) throw new UsageError('invalid_option', '--body and --body-file exclude each other');
  let body = flags.body;
  if (flags.bodyFile !== undefined) {
    try {
      body = readFileSync(flags.bodyFile, 'utf8');
    } catch (cause) {
      throw new UsageError('invalid_option', `--body-file ${flags.bodyFile}: ${(cause as NodeJS.ErrnoException).code ?? 'cannot be read'}`, { cause });
    }
  }
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) {
    throw new UsageError('invalid_option', `--body: a ${method} request carries no body (use --method POST or PUT)`);
  }
  return { method: method as HttpMethod, path, headers, ...(body === undefined ? {} : { body }) };
}

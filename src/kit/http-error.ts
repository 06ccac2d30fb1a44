import { EcomError } from '../common/ecom-error.js';

/** Builds an error the service error handler turns into `{"error": {code, message}}` with this status. */
export function httpError(status: number, code: string, message: string, details?: unknown): EcomError {
  return new EcomError(code, message, { status, details });
}

/** 404 with a snake_case code naming what was not found. */
export function notFound(what: string): EcomError {
  return httpError(404, `${what}_not_found`, `${what} not found`);
}

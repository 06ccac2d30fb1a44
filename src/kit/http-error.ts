import { EcomError } from '../common/ecom-error.js';
import type { ErrorCode } from '../common/error-codes.js';

/** Builds an error the service error handler turns into `{"error": {code, message}}` with this status. */
export function httpError(status: number, code: ErrorCode, message: string, details?: unknown): EcomError {
  return new EcomError(code, message, { status, details });
}

type NotFoundSubject<C> = C extends `${infer What}_not_found` ? What : never;

/** 404 with a snake_case code naming what was not found. */
export function notFound(what: NotFoundSubject<ErrorCode>): EcomError {
  return httpError(404, `${what}_not_found`, `${what} not found`);
}

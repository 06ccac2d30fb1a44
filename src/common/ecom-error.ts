import { ERROR_CODES, type ErrorCode, type UsageCode } from './error-codes.js';

/** Options every ecom error may carry: how to fix it, what caused it, and (for HTTP) the status to answer with. */
export interface EcomErrorOptions {
  /** Used when the code's entry in `ERROR_CODES` has no hint of its own. */
  hint?: string;
  cause?: unknown;
  status?: number;
  details?: unknown;
}

/** The one error base class: a stable snake_case `code` from `ERROR_CODES`, a human `message`, a `hint` and `cause`. */
export class EcomError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly status: number;
  readonly details: unknown;
  /** Process exit status when this error ends the CLI, from the code's entry in `ERROR_CODES`. */
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: EcomErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EcomError';
    this.code = code;
    this.hint = ERROR_CODES[code].hint ?? options.hint;
    this.status = options.status ?? 500;
    this.details = options.details;
    this.exitCode = ERROR_CODES[code].exit;
  }
}

/** Bad flags or a bad cluster file: a usage code (exit 2) and HTTP status 400 unless told otherwise. */
export class UsageError extends EcomError {
  constructor(code: UsageCode, message: string, options: EcomErrorOptions = {}) {
    super(code, message, { status: 400, ...options });
    this.name = 'UsageError';
  }
}

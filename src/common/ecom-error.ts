/** Options every ecom error may carry: how to fix it, what caused it, and (for HTTP) the status to answer with. */
export interface EcomErrorOptions {
  hint?: string;
  cause?: unknown;
  status?: number;
  details?: unknown;
  /** Process exit code when this error ends the CLI (default 1; usage errors 2). */
  exitCode?: number;
}

/** The one error base class: a stable snake_case `code`, a human `message`, an optional `hint` and `cause`. */
export class EcomError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly status: number;
  readonly details: unknown;
  readonly exitCode: number;

  constructor(code: string, message: string, options: EcomErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EcomError';
    this.code = code;
    this.hint = options.hint;
    this.status = options.status ?? 500;
    this.details = options.details;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Usage errors (bad flags, bad config) make the CLI exit with 2 instead of 1. */
export class UsageError extends EcomError {
  constructor(code: string, message: string, options: EcomErrorOptions = {}) {
    super(code, message, { status: 400, exitCode: 2, ...options });
    this.name = 'UsageError';
  }
}

import { EcomError } from './ecom-error.js';

/**
 * Builds the one line the CLI prints for a failure, `ecom: MESSAGE (CAUSE) — HINT`, the only place it is assembled;
 * with `debug`, the stack and the cause's stack instead. The hint comes from the error (its code's fixed hint first).
 */
export function formatError(err: unknown, options: { debug?: boolean } = {}): string {
  return `ecom: ${describeError(err, options.debug === true)}`;
}

function describeError(err: unknown, debug: boolean): string {
  if (debug && err instanceof Error && err.stack) {
    const cause = err.cause instanceof Error ? `\ncaused by: ${err.cause.stack ?? err.cause.message}` : '';
    return `${err.stack}${cause}`;
  }
  if (err instanceof EcomError) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    const hint = err.hint ? ` — ${err.hint}` : '';
    return `${err.message}${cause}${hint}`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

import { EcomError } from './ecom-error.js';

/** Builds the one-line text for any thrown value; the only place error messages are assembled for humans. */
export function formatError(err: unknown, options: { debug?: boolean } = {}): string {
  if (options.debug && err instanceof Error && err.stack) {
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

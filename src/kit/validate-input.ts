import type { z } from 'zod';
import { httpError } from './http-error.js';

/** Parses untrusted input with a zod schema; failure is a 400 whose message names every bad field. */
export function validateInput<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join('.') : where,
    message: issue.message,
  }));
  const text = fields
    .slice(0, 5)
    .map((f) => `${f.field}: ${f.message}`)
    .join('; ');
  throw httpError(400, 'validation_failed', `invalid ${where}: ${text}`, { fields });
}

import { z } from 'zod';
import { SERVICE_KINDS } from '../config/defaults.js';

/**
 * Requests the daemon's control socket accepts, one JSON object per line. `status` with `wait: 'settled'` answers
 * once the cluster is no longer starting, streaming a snapshot of the status at every change meanwhile: `ecom up -d`
 * follows a start on one connection instead of polling.
 */
export const controlRequest = z.discriminatedUnion('cmd', [
  z.object({ cmd: z.literal('status'), wait: z.literal('settled').optional() }),
  z.object({ cmd: z.literal('scale'), service: z.enum(SERVICE_KINDS), count: z.number().int().min(0).max(64) }),
  z.object({ cmd: z.literal('restart'), service: z.enum(SERVICE_KINDS), rolling: z.boolean() }),
  z.object({ cmd: z.literal('down') }),
]);
export type ControlRequest = z.infer<typeof controlRequest>;

/** Lines the daemon answers with: any number of progress lines and status snapshots, then one result or error. */
export type ControlReply =
  { progress: string } | { snapshot: unknown } | { ok: true; result: unknown } | { ok: false; error: { code: string; message: string; hint?: string } };

import { z } from 'zod';
import { SERVICE_KINDS } from '../config/defaults.js';

/** Requests the daemon's control socket accepts, one JSON object per line. */
export const controlRequest = z.discriminatedUnion('cmd', [
  z.object({ cmd: z.literal('status') }),
  z.object({ cmd: z.literal('scale'), service: z.enum(SERVICE_KINDS), count: z.number().int().min(0).max(64) }),
  z.object({ cmd: z.literal('restart'), service: z.enum(SERVICE_KINDS), rolling: z.boolean() }),
  z.object({ cmd: z.literal('down') }),
]);
export type ControlRequest = z.infer<typeof controlRequest>;

/** Lines the daemon answers with: any number of progress lines, then one result or error. */
export type ControlReply = { progress: string } | { ok: true; result: unknown } | { ok: false; error: { code: string; message: string; hint?: string } };

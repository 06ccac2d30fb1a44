import { CHILD_ENV } from '../config/defaults.js';

/**
 * The variables ecom adds to the environment of its own node processes (CHILD_ENV): ECOM_NODE_OPTIONS (else
 * CHILD_ENV's, none by default) after the environment's own NODE_OPTIONS, and the malloc settings unless already
 * set. `ecomNodeOptions: false` leaves ECOM_NODE_OPTIONS out — for the daemon, which passes them to its children: any V8 flag
 * makes node compile its built-in modules afresh instead of using their embedded code cache (tens of ms of CPU at
 * start), and the daemon starts first, before everything else.
 */
export function childEnv(env: NodeJS.ProcessEnv = process.env, options: { ecomNodeOptions?: boolean } = {}): Record<string, string> {
  const ours = options.ecomNodeOptions === false ? undefined : (env.ECOM_NODE_OPTIONS ?? CHILD_ENV.NODE_OPTIONS);
  const nodeOptions = [env.NODE_OPTIONS, ours].filter((part) => part?.trim()).join(' ');
  return {
    ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? CHILD_ENV.MALLOC_ARENA_MAX,
    MALLOC_MMAP_THRESHOLD_: env.MALLOC_MMAP_THRESHOLD_ ?? CHILD_ENV.MALLOC_MMAP_THRESHOLD_,
  };
}

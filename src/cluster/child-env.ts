import { CHILD_ENV } from '../config/defaults.js';

/**
 * The variables ecom adds to the environment of its own node processes (CHILD_ENV): NODE_OPTIONS after the
 * environment's own (ECOM_NODE_OPTIONS in place of ecom's part), and the malloc settings unless already set.
 */
export function childEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const nodeOptions = [env.NODE_OPTIONS, env.ECOM_NODE_OPTIONS ?? CHILD_ENV.NODE_OPTIONS].filter((part) => part?.trim()).join(' ');
  return {
    ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? CHILD_ENV.MALLOC_ARENA_MAX,
    MALLOC_MMAP_THRESHOLD_: env.MALLOC_MMAP_THRESHOLD_ ?? CHILD_ENV.MALLOC_MMAP_THRESHOLD_,
  };
}

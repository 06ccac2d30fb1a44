import { availableParallelism, networkInterfaces } from 'node:os';
import { LOAD_WORKERS } from '../config/defaults.js';

/** Whether `hostname` (of a URL) names this machine: loopback, `localhost`, or an address of one of its interfaces. */
export function isThisMachine(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '0.0.0.0' || host.startsWith('127.')) return true;
  return Object.values(networkInterfaces()).some((addresses) => addresses?.some((a) => a.address.toLowerCase() === host));
}

/**
 * The default `--workers`: what the machine can spare. A target on this machine gets half the cores (so one worker on
 * a 2-core machine, where a second thread would take the target's CPU); a target elsewhere all cores but one.
 * At most LOAD_WORKERS.max, at least 1.
 */
export function chooseWorkerCount(origin: string, cores = availableParallelism()): number {
  const spare = isThisMachine(new URL(origin).hostname) ? Math.floor(cores / 2) : cores - 1;
  return Math.max(1, Math.min(LOAD_WORKERS.max, spare));
}

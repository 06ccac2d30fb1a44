import { writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The nice value whose scheduler weight is nearest `weight` on systemd's CPUWeight scale (100 = nice 0; each step is ×1.25). */
export function niceOfWeight(weight: number): number {
  return Math.min(19, Math.max(-20, Math.round(-Math.log(weight / 100) / Math.log(1.25)))) || 0;
}

const errnoOf = (err: unknown): string | undefined => {
  const e = err as { code?: string; info?: { code?: string } };
  return e.info?.code ?? e.code;
};

/**
 * Gives process `pid` the CPU weight `weight`: its nice value, and the same nice value for its autogroup
 * (`/proc/<pid>/autogroup`). The autogroup's is the one that counts where the kernel groups processes by session
 * (`kernel.sched_autogroup_enabled`, on by default in many kernels) and the process leads a session of its own, as
 * the process runtime's instances do: a process's own nice value then only weighs against its own session. Returns
 * why the system refused (raising a priority takes root or CAP_SYS_NICE), undefined once applied — or when the
 * process has already gone.
 */
export function applyCpuWeight(pid: number, weight: number): string | undefined {
  const nice = niceOfWeight(weight);
  if (nice === 0) return undefined;
  try {
    setPriority(pid, nice);
  } catch (err) {
    const errno = errnoOf(err);
    if (errno === 'ESRCH') return undefined;
    const why = errno === 'EACCES' || errno === 'EPERM' ? (nice < 0 ? 'raising a priority takes root or CAP_SYS_NICE' : 'not permitted') : String(err);
    return `CPU weight ${weight} (nice ${nice}) not applied: ${why}`;
  }
  setAutogroupNice(pid, nice, AUTOGROUP_TRIES);
  return undefined;
}

/** Without CAP_SYS_ADMIN the kernel takes one autogroup write per 100 ms, machine-wide (EAGAIN): a few more tries. */
const AUTOGROUP_TRIES = 5;

/** Best effort: with no autogroups (ENOENT) or the process gone, its own nice value is what there is. */
function setAutogroupNice(pid: number, nice: number, triesLeft: number): void {
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
  } catch (err) {
    if (errnoOf(err) === 'EAGAIN' && triesLeft > 1) setTimeout(() => setAutogroupNice(pid, nice, triesLeft - 1), 110).unref();
  }
}

import type { ClusterStatus, SupervisorPhase } from './project-status.js';

/** What waitSettledStatus watches: the supervisor's phase, its status, and its `change` events. */
export interface StatusSource {
  readonly phase: SupervisorPhase;
  status(): ClusterStatus;
  on(event: 'change', listener: () => void): unknown;
  off(event: 'change', listener: () => void): unknown;
}

/**
 * The cluster's status once it is no longer starting (running, failed or stopping), with `onSnapshot` called with
 * the status at most once per event-loop turn while it starts — so a client follows a start on one connection.
 */
export function waitSettledStatus(source: StatusSource, onSnapshot: (status: ClusterStatus) => void): Promise<ClusterStatus> {
  return new Promise((resolve) => {
    let queued = false;
    const check = (): void => {
      if (source.phase !== 'starting') {
        source.off('change', onChange);
        resolve(source.status());
        return;
      }
      onSnapshot(source.status());
    };
    const onChange = (): void => {
      if (queued) return;
      queued = true;
      setImmediate(() => {
        queued = false;
        check();
      });
    };
    source.on('change', onChange);
    check();
  });
}

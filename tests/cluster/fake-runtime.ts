import type { InstanceExit, InstanceHandle, InstanceSpec, Runtime } from '../../src/runtime/runtime.js';

/**
 * A runtime whose instances are pids in memory: tests end them by hand with `exit`, make one that `notifiesReady`
 * say it serves with `notify`, and see every stop request; with `warning`, every start reports it (as a refused CPU weight).
 */
export function fakeRuntime(options: { ignoreStop?: boolean; warning?: string } = {}) {
  const ends = new Map<number, (e: InstanceExit) => void>();
  const notices = new Map<number, () => void>();
  const notify = (pid: number): void => notices.get(pid)?.();
  const started: InstanceSpec[] = [];
  const stops: Array<[number, number | undefined]> = [];
  let nextPid = 100;
  const exit = (pid: number, code: number | null, signal: NodeJS.Signals | null = null): void => {
    ends.get(pid)?.({ code, signal });
    ends.delete(pid);
  };
  const runtime: Runtime = {
    start(spec): InstanceHandle {
      const pid = nextPid++;
      started.push(spec);
      const exited = new Promise<InstanceExit>((resolve) => ends.set(pid, resolve));
      const ready = spec.notifiesReady ? new Promise<void>((resolve) => notices.set(pid, resolve)) : undefined;
      let stopping: Promise<void> | undefined;
      return {
        name: spec.name,
        logFile: spec.logFile,
        address: spec.port === undefined ? undefined : { host: spec.host ?? '127.0.0.1', port: spec.port },
        pid,
        exited,
        ...(ready ? { ready } : {}),
        ...(options.warning ? { warning: options.warning } : {}),
        stop(timeoutMs) {
          stopping ??= (async () => {
            stops.push([pid, timeoutMs]);
            if (!options.ignoreStop) exit(pid, null, spec.stopSignal ?? 'SIGTERM');
            await exited;
          })();
          return stopping;
        },
      };
    },
  };
  return { runtime, exit, notify, started, stops };
}

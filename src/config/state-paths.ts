import { join } from 'node:path';

/** Where a cluster keeps its runtime files inside `<stateDir>`. */
export interface StatePaths {
  root: string;
  pids: string;
  logs: string;
  socket: string;
  daemonPid: string;
  redisDir: string;
}

/** The state dir layout: pids/, logs/, redis/, the daemon's control socket and pid file. */
export function statePaths(stateDir: string): StatePaths {
  return {
    root: stateDir,
    pids: join(stateDir, 'pids'),
    logs: join(stateDir, 'logs'),
    socket: join(stateDir, 'ecom.sock'),
    daemonPid: join(stateDir, 'pids', 'daemon.pid'),
    redisDir: join(stateDir, 'redis'),
  };
}

/** Pid file of one managed process. */
export function pidFileOf(paths: StatePaths, name: string): string {
  return join(paths.pids, `${name}.pid`);
}

/** Log file (stdout and stderr) of one managed process. */
export function logFileOf(paths: StatePaths, name: string): string {
  return join(paths.logs, `${name}.log`);
}

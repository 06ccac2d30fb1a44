import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { stateLayout } from '../config/state-layout.js';
import { isSameProcess, readPidFile } from './process-identity.js';
import { stopProcessGroup, systemSignals, type ProcessSignals } from './stop-process-group.js';

/** The level of a pid file's name (`product-2` is in the level that lists `product`); unknown names go last. */
const rankIn =
  (levels: ReadonlyArray<readonly string[]>) =>
  (name: string): number => {
    const i = levels.findIndex((level) => level.some((step) => name === step || name.startsWith(`${step}-`)));
    return i < 0 ? levels.length : i;
  };

/**
 * Stops whatever the pid files of a state dir name, without a daemon (it may have died): level by level in the
 * given stop order (names in a level stop in parallel), SIGTERM then SIGKILL after `timeoutMs`, to whole process
 * groups; removes the pid files and the control socket. Only a process with the pid and start time its file recorded
 * is signalled (a reused pid, or a file without a start time, is left alone). Returns the names it stopped (a second
 * run returns []).
 */
export async function stopFromPidFiles(
  stateDir: string,
  options: { levels: ReadonlyArray<readonly string[]>; timeoutMs: number; signals?: ProcessSignals; onProgress?: (line: string) => void },
): Promise<string[]> {
  const rank = rankIn(options.levels);
  const paths = stateLayout(stateDir);
  let files: string[];
  try {
    files = readdirSync(paths.pids).filter((f) => f.endsWith('.pid'));
  } catch {
    files = [];
  }
  const entries = files
    .map((file) => ({
      file: join(paths.pids, file),
      name: file.slice(0, -4),
      identity: readPidFile(join(paths.pids, file)),
    }))
    .sort((a, b) => rank(a.name) - rank(b.name));
  const signals = options.signals ?? systemSignals;
  const stopped: string[] = [];
  for (let r = 0; r <= options.levels.length; r++) {
    const group = entries.filter((e) => rank(e.name) === r);
    await Promise.all(
      group.map(async (e) => {
        const { identity } = e;
        if (identity && signals.isAlive(identity.pid) && isSameProcess(identity)) {
          options.onProgress?.(`stopping ${e.name} (pid ${identity.pid})`);
          await stopProcessGroup(identity.pid, {
            signals,
            timeoutMs: options.timeoutMs,
            signal: e.name === 'nginx' ? 'SIGQUIT' : 'SIGTERM',
            startTime: identity.startTime,
          });
          stopped.push(e.name);
        }
        rmSync(e.file, { force: true });
      }),
    );
  }
  rmSync(paths.socket, { force: true });
  return stopped;
}

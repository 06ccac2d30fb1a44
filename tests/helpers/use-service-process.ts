import { rmSync } from 'node:fs';
import { afterEach } from 'vitest';
import type { TestProcess } from './start-process.js';
import type { TestRedis } from './start-redis.js';

/** What a test that starts one service process by hand holds: the process, its redis-server and its state dir. */
export interface ServiceProcessRun {
  proc?: TestProcess;
  redis?: TestRedis;
  dir?: string;
}

/** A holder for one hand-started service process and what it uses, all stopped and removed after each test. */
export function useServiceProcess(): ServiceProcessRun {
  const run: ServiceProcessRun = {};
  afterEach(async () => {
    await run.proc?.stop();
    await run.redis?.close();
    if (run.dir) rmSync(run.dir, { recursive: true, force: true });
    run.proc = run.redis = run.dir = undefined;
  });
  return run;
}

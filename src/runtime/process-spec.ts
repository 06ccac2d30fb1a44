/** What to run: one supervised process. */
export interface ProcessSpec {
  /** Unique name, e.g. `product-2`, `redis`, `nginx`. */
  name: string;
  service: string;
  id?: number;
  port?: number;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** Signal that asks for a graceful stop (nginx wants SIGQUIT). */
  stopSignal?: NodeJS.Signals;
  stopTimeoutMs: number;
}

/** The part of a child process the state machine needs. */
export interface SpawnedChild {
  pid: number;
  /** Resolves once, when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a process in its own process group; injected so policies are testable without real processes. */
export type SpawnProcess = (spec: ProcessSpec) => SpawnedChild;

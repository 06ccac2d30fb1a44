/** What to run: one instance (a service instance, redis-server, the registry, nginx). */
export interface InstanceSpec {
  /** Unique name, e.g. `product-2`, `redis`, `nginx`. */
  name: string;
  service: string;
  id?: number;
  /** Address it serves on; `host` defaults to 127.0.0.1. */
  host?: string;
  port?: number;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** Signal that asks for a graceful stop (nginx wants SIGQUIT); SIGTERM when unset. */
  stopSignal?: NodeJS.Signals;
  /** Grace period after the stop signal before the instance is killed. */
  stopTimeoutMs: number;
  /** The program says when it serves, by writing a line to the file descriptor named in READY_FD_ENV (see `ready`). */
  notifiesReady?: boolean;
  /** Share of the cores when they are all busy, on systemd's CPUWeight scale (100, an ordinary process, when unset). */
  cpuWeight?: number;
}

/** How an instance ended. */
export interface InstanceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One started instance, whatever runs it (a process group today, a container later). */
export interface InstanceHandle {
  name: string;
  /** Where its stdout and stderr go. */
  logFile: string;
  address: { host: string; port: number } | undefined;
  /** The process id when the runtime has one (a container runtime may not). */
  pid: number | undefined;
  /** Resolves once, when the instance has ended (a start failure resolves at once with code 127). */
  exited: Promise<InstanceExit>;
  /**
   * Resolves when an instance whose spec `notifiesReady` said it serves (pending forever if it never does); undefined
   * where the runtime cannot hear it (containers). Lets the supervisor probe once, when it is worth it, instead of
   * polling a port that refuses connections meanwhile.
   */
  ready?: Promise<void>;
  /** What the runtime could not do as the spec asked (a CPU weight the system refused), for the supervisor's log. */
  warning?: string;
  /** Graceful stop signal, then a hard kill of everything it started after `timeoutMs` (the spec's by default). Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
}

/** How instances are started, observed and stopped; the supervisor only talks to this. */
export interface Runtime {
  start(spec: InstanceSpec): InstanceHandle;
  /** Releases what the runtime holds besides its instances (a container network), once they all ended. Idempotent. */
  close?(): Promise<void>;
  /** Where nginx listens when not on the cluster's `host` (in a container: every interface of its own namespace). */
  listenHost?: string;
}

/**
 * The environment variable naming the file descriptor on which a process started with `notifiesReady` writes one
 * line once it serves (as s6's notification-fd or systemd's sd_notify READY=1).
 */
export const READY_FD_ENV = 'ECOM_READY_FD';

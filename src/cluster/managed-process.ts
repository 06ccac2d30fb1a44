import { EventEmitter } from 'node:events';
import type { RestartPolicy } from './restart-on-crash.js';
import type { InstanceExit, InstanceHandle, InstanceSpec, Runtime } from '../runtime/runtime.js';

/** Life-cycle states; `backoff` waits before a restart, `stopped` is final until `start()`. */
export type ProcessState = 'idle' | 'running' | 'backoff' | 'stopping' | 'stopped';

/** A snapshot of one process for status output. */
export interface ProcessInfo {
  name: string;
  service: string;
  id: number | undefined;
  port: number | undefined;
  pid: number | undefined;
  state: ProcessState;
  restarts: number;
  crashLoop: boolean;
  uptimeMs: number;
  lastExit?: { code: number | null; signal: string | null; at: string };
}

/** Events: `state` (ProcessState), `exit` ({code, signal, expected}), `warning` (what the runtime could not do at a start). */
export interface ManagedProcessEvents {
  state: [ProcessState];
  exit: [{ code: number | null; signal: NodeJS.Signals | null; expected: boolean }];
  warning: [string];
}

/** How `restart()` goes: the grace period before SIGKILL, and what to do between the stop and the start. */
export interface RestartOptions {
  /** Grace period after the stop signal (the spec's by default; 0 kills at once: a hung process cannot stop itself). */
  graceMs?: number;
  /** Runs once the old process is gone and before the new one starts (e.g. deregister the dead instance). */
  beforeStart?: () => Promise<void>;
}

/**
 * One supervised process as a small state machine. It restarts after unexpected exits using the injected policy
 * (backoff, crash-loop flag), stops with the stop signal then SIGKILL to its whole group, and can be restarted on
 * demand (health failures, rolling restarts). Instances are started and stopped through the injected runtime.
 */
export class ManagedProcess extends EventEmitter<ManagedProcessEvents> {
  state: ProcessState = 'idle';
  restarts = 0;
  crashLoop = false;
  private child: InstanceHandle | undefined;
  private startedAt = 0;
  private lastExit: ProcessInfo['lastExit'];
  private backoffTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  /** Set by `stop()`: a restart under way must not start the process again. */
  private retired = false;

  constructor(
    readonly spec: InstanceSpec,
    private readonly deps: {
      runtime: Runtime;
      policy: RestartPolicy;
      now?: () => number;
      /** Runs after an unexpected exit, before the replacement starts (e.g. take the dead instance out of rotation). */
      beforeRestart?: () => Promise<void>;
    },
  ) {
    super();
  }

  get pid(): number | undefined {
    return this.state === 'running' || this.state === 'stopping' ? this.child?.pid : undefined;
  }

  /** Starts the process (again); a no-op while it runs. */
  start(): void {
    if (this.state === 'running' || this.state === 'stopping') return;
    this.retired = false;
    clearTimeout(this.backoffTimer);
    this.stopping = undefined;
    const child = this.deps.runtime.start(this.spec);
    this.child = child;
    this.startedAt = this.now();
    this.setState('running');
    if (child.warning) this.emit('warning', child.warning);
    void child.exited.then((exit) => this.onExit(child, exit));
  }

  /** Stops for good (no restart): stop signal, SIGKILL to the group after the timeout. Idempotent. */
  stop(): Promise<void> {
    this.retired = true;
    return this.halt(this.spec.stopTimeoutMs);
  }

  /**
   * Stops and starts again, counting a restart (used for health failures and restarts on demand). When `stop()` is
   * called meanwhile, the process stays stopped.
   */
  async restart(options: RestartOptions = {}): Promise<void> {
    this.retired = false;
    await this.halt(options.graceMs ?? this.spec.stopTimeoutMs);
    await options.beforeStart?.();
    if (this.retired) return;
    this.restarts++;
    this.start();
  }

  /** The running instance's readiness notice (see InstanceHandle.ready); undefined when it gives none or is not running. */
  get ready(): Promise<void> | undefined {
    return this.state === 'running' ? this.child?.ready : undefined;
  }

  /** Where the current instance's output goes. */
  get logFile(): string {
    return this.child?.logFile ?? this.spec.logFile;
  }

  /** A snapshot for status output. */
  info(): ProcessInfo {
    return {
      name: this.spec.name,
      service: this.spec.service,
      id: this.spec.id,
      port: this.spec.port,
      pid: this.pid,
      state: this.state,
      restarts: this.restarts,
      crashLoop: this.crashLoop,
      uptimeMs: this.state === 'running' ? this.now() - this.startedAt : 0,
      ...(this.lastExit ? { lastExit: this.lastExit } : {}),
    };
  }

  private halt(graceMs: number): Promise<void> {
    clearTimeout(this.backoffTimer);
    if (this.state === 'backoff' || this.state === 'idle') this.setState('stopped');
    if (this.state === 'stopped') return Promise.resolve();
    this.stopping ??= (async () => {
      const child = this.child!;
      this.setState('stopping');
      await child.stop(graceMs);
      await child.exited;
    })();
    return this.stopping;
  }

  private onExit(child: InstanceHandle, exit: InstanceExit): void {
    if (child !== this.child) return;
    const at = this.now();
    this.lastExit = { code: exit.code, signal: exit.signal, at: new Date(at).toISOString() };
    const expected = this.state === 'stopping' || this.state === 'stopped';
    this.emit('exit', { ...exit, expected });
    if (expected) {
      this.setState('stopped');
      return;
    }
    const { delayMs, crashLoop } = this.deps.policy.next({ uptimeMs: at - this.startedAt, at });
    this.crashLoop = crashLoop;
    this.setState('backoff');
    const cleared = this.deps.beforeRestart?.().catch(() => undefined);
    this.backoffTimer = setTimeout(async () => {
      await cleared;
      if (this.state !== 'backoff') return;
      this.restarts++;
      this.start();
    }, delayMs);
  }

  private setState(state: ProcessState): void {
    if (state === this.state) return;
    this.state = state;
    this.emit('state', state);
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}

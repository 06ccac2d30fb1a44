/** One registered instance as the registry lists it. */
export interface RegisteredInstance {
  id: number;
  host: string;
  port: number;
  meta?: Record<string, string>;
  registeredAt: string;
  lastHeartbeat: string;
}

/** The registry's listing: every service's live instances, and the index that grows whenever that set changes. */
export interface RegistrySnapshot {
  index: number;
  services: Record<string, RegisteredInstance[]>;
}

/** Why the set of instances changed, for logs and metrics. */
export type RegistryChange = 'register' | 'deregister' | 'evict';

/**
 * The registry's in-memory state: instances by service, a monotonically growing index bumped on every change of
 * the set (not on heartbeats), TTL eviction, and waiters for long polls. No I/O; the server and persistence wrap it.
 */
export class RegistryState {
  private readonly services = new Map<string, Map<number, RegisteredInstance & { seenAt: number }>>();
  private waiters: Array<{ after: number; resolve: () => void }> = [];
  private current: number;

  constructor(
    private readonly ttlMs: number,
    private readonly onChange: (change: RegistryChange, service: string, id: number) => void = () => undefined,
    initial?: RegistrySnapshot,
    private readonly now: () => number = Date.now,
  ) {
    this.current = initial?.index ?? 0;
    for (const [service, list] of Object.entries(initial?.services ?? {})) {
      const byId = new Map<number, RegisteredInstance & { seenAt: number }>();
      // Restored instances get a full TTL to heartbeat again before they can be evicted.
      for (const inst of list) byId.set(inst.id, { ...inst, seenAt: this.now() });
      this.services.set(service, byId);
    }
  }

  get index(): number {
    return this.current;
  }

  /** Registers or re-registers; only a new instance or a changed address bumps the index. */
  register(service: string, id: number, address: { host: string; port: number; meta?: Record<string, string> }): void {
    const byId = this.services.get(service) ?? new Map();
    this.services.set(service, byId);
    const existing = byId.get(id);
    const at = new Date(this.now()).toISOString();
    const changed =
      !existing ||
      existing.host !== address.host ||
      existing.port !== address.port ||
      JSON.stringify(existing.meta ?? {}) !== JSON.stringify(address.meta ?? {});
    byId.set(id, {
      id,
      host: address.host,
      port: address.port,
      ...(address.meta ? { meta: address.meta } : {}),
      registeredAt: changed ? at : existing.registeredAt,
      lastHeartbeat: at,
      seenAt: this.now(),
    });
    if (changed) this.bump('register', service, id);
  }

  /** Records a heartbeat; false when the instance is unknown (the client must register again). */
  heartbeat(service: string, id: number): boolean {
    const inst = this.services.get(service)?.get(id);
    if (!inst) return false;
    inst.seenAt = this.now();
    inst.lastHeartbeat = new Date(inst.seenAt).toISOString();
    return true;
  }

  deregister(service: string, id: number): void {
    const byId = this.services.get(service);
    if (byId?.delete(id)) this.bump('deregister', service, id);
  }

  /** Drops instances silent for longer than the TTL; returns how many went. */
  evictExpired(): number {
    const cutoff = this.now() - this.ttlMs;
    let evicted = 0;
    for (const [service, byId] of this.services) {
      for (const [id, inst] of byId) {
        if (inst.seenAt < cutoff) {
          byId.delete(id);
          evicted++;
          this.bump('evict', service, id);
        }
      }
    }
    return evicted;
  }

  snapshot(): RegistrySnapshot {
    const services: Record<string, RegisteredInstance[]> = {};
    for (const [service, byId] of this.services) {
      services[service] = [...byId.values()].sort((a, b) => a.id - b.id).map(({ seenAt: _seenAt, ...inst }) => inst);
    }
    return { index: this.current, services };
  }

  /** Resolves once the index passes `after`; at once if `after` is not the current index (a registry restarted). */
  waitForChange(after: number, signal: AbortSignal): Promise<void> {
    if (after !== this.current || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = { after, resolve };
      this.waiters.push(waiter);
      signal.addEventListener('abort', () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      });
    });
  }

  private bump(change: RegistryChange, service: string, id: number): void {
    this.current++;
    this.onChange(change, service, id);
    const ready = this.waiters.filter((w) => this.current > w.after);
    this.waiters = this.waiters.filter((w) => this.current <= w.after);
    for (const w of ready) w.resolve();
  }
}

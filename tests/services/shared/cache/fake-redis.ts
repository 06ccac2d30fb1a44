import type { GenerationRedis, GenerationTransaction } from '../../../../src/services/shared/cache/create-generation-tier.js';

/**
 * An in-memory stand-in for the few ioredis calls the generation tier makes. `ecomCacheRead` exists only once
 * `defineCommand` ran, and mirrors the Lua script (including Lua dropping a trailing nil from the reply).
 */
export class FakeRedis implements GenerationRedis {
  status = 'ready';
  /** When set, every command rejects (as with a dead or paused server). */
  failing = false;
  /** When set, `set` waits for it (to hold a load in flight). */
  setGate: Promise<void> | undefined;
  readonly store = new Map<string, string>();
  readonly expiries = new Map<string, number>();
  readonly definitions: Array<{ name: string; lua: string }> = [];
  calls = { read: 0, set: 0, exec: 0 };
  ecomCacheRead?: (nsGen: string, keyGen: string, valuePrefix: string) => Promise<Array<string | null | undefined>>;

  defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void {
    this.definitions.push({ name, lua: definition.lua });
    this.ecomCacheRead = async (nsGen, keyGen, valuePrefix) => {
      this.calls.read++;
      this.check();
      const ng = this.store.get(nsGen) ?? '0';
      const kg = this.store.get(keyGen) ?? '0';
      const value = this.store.get(`${valuePrefix}${ng}:${kg}`);
      return value === undefined ? [ng, kg] : [ng, kg, value];
    };
  }

  async set(key: string, value: string, _px: 'PX', ms: number): Promise<unknown> {
    this.calls.set++;
    await this.setGate;
    this.check();
    this.store.set(key, value);
    this.expiries.set(key, ms);
    return 'OK';
  }

  multi(): GenerationTransaction {
    const ops: Array<() => [Error | null, unknown]> = [];
    const tx: GenerationTransaction = {
      incr: (key) => {
        ops.push(() => {
          const next = Number(this.store.get(key) ?? '0') + 1;
          this.store.set(key, String(next));
          return [null, next];
        });
        return tx;
      },
      pexpire: (key, ms) => {
        ops.push(() => (this.expiries.set(key, ms), [null, 1]));
        return tx;
      },
      exec: async () => {
        this.calls.exec++;
        this.check();
        return ops.map((op) => op());
      },
    };
    return tx;
  }

  private check(): void {
    if (this.failing || this.status !== 'ready') throw new Error('fake redis unavailable');
  }
}

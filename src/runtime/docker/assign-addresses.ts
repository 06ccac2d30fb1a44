/** Hands out the host addresses of an IPv4 subnet in turn. */
export interface AddressPool {
  /** The next address no container holds, after the one handed out last (wrapping around); undefined when all are held. */
  take(): string | undefined;
  /** The address is free again (it comes back only once every other one was handed out since). */
  release(address: string): void;
}

const toInt = (ip: string): number => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
const toIp = (n: number): string => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/**
 * The cluster network's addresses for containers: every host address of `subnet` but the first (the engine's
 * gateway), in turn. In turn, not lowest-free as the engine would: a container that replaces a killed one then never
 * gets its predecessor's address, which the gateway may have left out of rotation for a request that met the dead
 * one (and was still waiting for its connect timeout when the replacement registered).
 */
export function addressPool(subnet: string): AddressPool {
  const [ip, bits] = subnet.split('/');
  const size = 2 ** (32 - Number(bits));
  const base = toInt(ip!) - (toInt(ip!) % size);
  const first = base + 2;
  const last = base + size - 2;
  const held = new Set<number>();
  let next = first;
  return {
    take() {
      for (let tries = 0; tries <= last - first; tries++) {
        const candidate = next;
        next = next >= last ? first : next + 1;
        if (!held.has(candidate)) {
          held.add(candidate);
          return toIp(candidate);
        }
      }
      return undefined;
    },
    release(address) {
      held.delete(toInt(address));
    },
  };
}

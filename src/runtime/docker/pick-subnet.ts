import { readFileSync } from 'node:fs';

/** One of the engine's address pools (`docker info`'s DefaultAddressPools): networks of `Size` bits carved from `Base`. */
export interface AddressPoolSpec {
  Base: string;
  Size: number;
}

const toInt = (ip: string): number => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
const toIp = (n: number): string => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/** A CIDR as its first address and prefix length; undefined when it is not IPv4. */
function parseCidr(cidr: string): { start: number; bits: number } | undefined {
  const match = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
  if (!match) return undefined;
  const bits = Number(match[2]);
  const size = 2 ** (32 - bits);
  return { start: toInt(match[1]!) - (toInt(match[1]!) % size), bits };
}

/** Whether two IPv4 CIDRs share an address. */
function overlaps(a: { start: number; bits: number }, b: { start: number; bits: number }): boolean {
  const size = 2 ** (32 - Math.min(a.bits, b.bits));
  return Math.floor(a.start / size) === Math.floor(b.start / size);
}

/** The destinations of this host's IPv4 routes but the default one (from /proc/net/route), as CIDRs; none when unreadable. */
export function hostRoutes(file = '/proc/net/route'): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols.length >= 8 && cols[1] !== '00000000')
      .map((cols) => {
        // Little-endian hex: the bytes of 0100A8C0 are 192.168.0.1 read backwards.
        const le = (hex: string): number => Number.parseInt(hex.match(/../g)!.reverse().join(''), 16);
        const mask = le(cols[7]!);
        const bits = mask.toString(2).replace(/0/g, '').length;
        return `${toIp(le(cols[1]!))}/${bits}`;
      });
  } catch {
    return [];
  }
}

/**
 * The first subnet of the engine's pools that overlaps none of `taken` (its networks' subnets, the host's routes):
 * what the engine itself would pick, chosen here so the network's subnet is configured (containers may then be given
 * their addresses). Undefined when the engine names no pools or every subnet is taken.
 */
export function pickSubnet(pools: readonly AddressPoolSpec[], taken: readonly string[]): string | undefined {
  const used = taken.map(parseCidr).filter((c) => c !== undefined);
  for (const pool of pools) {
    const base = parseCidr(pool.Base);
    if (!base || pool.Size < base.bits || pool.Size > 30) continue;
    const step = 2 ** (32 - pool.Size);
    for (let start = base.start; start < base.start + 2 ** (32 - base.bits); start += step) {
      const candidate = { start, bits: pool.Size };
      if (!used.some((u) => overlaps(u, candidate))) return `${toIp(start)}/${pool.Size}`;
    }
  }
  return undefined;
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostRoutes, pickSubnet } from '../../../src/runtime/docker/pick-subnet.js';

describe('pickSubnet', () => {
  it("takes the first subnet of the engine's pools that no network or route overlaps", () => {
    const pools = [{ Base: '198.18.0.0/17', Size: 24 }];
    expect(pickSubnet(pools, [])).toBe('198.18.0.0/24');
    expect(pickSubnet(pools, ['198.18.0.0/24', '198.18.1.0/24', '198.18.255.0/24'])).toBe('198.18.2.0/24');
    // A wider route covers several candidates; one inside a candidate rules it out.
    expect(pickSubnet(pools, ['198.18.0.0/22', '198.18.4.128/25'])).toBe('198.18.5.0/24');
  });

  it('goes on to the next pool when one is full, and gives up when all are (or when the engine names none)', () => {
    const pools = [
      { Base: '198.18.0.0/23', Size: 24 },
      { Base: '198.19.0.0/16', Size: 20 },
    ];
    expect(pickSubnet(pools, ['198.18.0.0/23'])).toBe('198.19.0.0/20');
    expect(pickSubnet(pools, ['198.18.0.0/15'])).toBeUndefined();
    expect(pickSubnet([], [])).toBeUndefined();
  });
});

describe('hostRoutes', () => {
  it("reads the routes' destinations but the default one", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecom-routes-'));
    const file = join(dir, 'route');
    writeFileSync(
      file,
      [
        'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
        'eth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
        'docker0\t00FF12C6\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
        'br-1\t000012C6\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
      ].join('\n'),
    );
    expect(hostRoutes(file)).toEqual(['198.18.255.0/24', '198.18.0.0/16']);
    expect(hostRoutes(join(dir, 'missing'))).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});

import { describe, expect, it } from 'vitest';
import { formatGatewayPeers } from '../../src/cli/format-gateway-peers.js';

describe('the gateway lines of ecom status', () => {
  it('lists every peer with its figures in Lua mode, and names the fallback in reload mode', () => {
    const peer = {
      service: 'product',
      id: 2,
      address: '127.0.0.1:5002',
      requests: 120,
      failures: 1,
      inFlight: 3,
      ewmaMs: 2.345,
      ejected: true,
      ejectedForMs: 1500,
    };
    const lines = formatGatewayPeers({
      appliedIndex: 7,
      reloads: 0,
      renders: 7,
      mode: 'lua',
      pushes: 6,
      adminPort: 40111,
      gateway: { index: 7, balance: 'ewma', reloads: 0, worker: 1, peers: [peer, { ...peer, id: 3, ejected: false, ewmaMs: null }] },
    });
    expect(lines[0]).toBe('\ngateway: Lua balancer (ewma), admin 127.0.0.1:40111, 0 nginx reloads since it started (0 by ecom since up), 6 peer updates');
    expect(lines[1]).toMatch(/^PEER\s+ADDRESS\s+REQUESTS\s+FAILURES\s+IN-FLIGHT\s+EWMA\s+EJECTED$/);
    expect(lines[2]).toMatch(/^product-2\s+127\.0\.0\.1:5002\s+120\s+1\s+3\s+2\.3ms\s+yes \(1\.5s\)$/);
    expect(lines[3]).toMatch(/^product-3 .* -\s+-$/);
    expect(formatGatewayPeers({ appliedIndex: 1, reloads: 4, renders: 5, mode: 'reload', fallbackReason: "nginx's Lua module is not installed" })).toEqual([
      "\ngateway: render-and-reload (nginx's Lua module is not installed), 4 nginx reloads since up",
    ]);
    expect(formatGatewayPeers(undefined)).toEqual([]);
  });
});

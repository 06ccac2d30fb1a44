import { describe, expect, it } from 'vitest';
import { chooseWorkerCount, isThisMachine } from '../../src/overload/choose-worker-count.js';

describe('the default --workers: what the machine can spare', () => {
  it('gives a target on this machine half the cores: one on 2 cores, at most 4', () => {
    expect(chooseWorkerCount('http://127.0.0.1:8080', 1)).toBe(1);
    expect(chooseWorkerCount('http://127.0.0.1:8080', 2)).toBe(1);
    expect(chooseWorkerCount('http://localhost:8080', 3)).toBe(1);
    expect(chooseWorkerCount('http://[::1]:8080', 4)).toBe(2);
    expect(chooseWorkerCount('http://127.0.0.1:8080', 64)).toBe(4);
  });

  it('gives a target elsewhere every core but one, at most 4', () => {
    expect(chooseWorkerCount('http://203.0.113.7', 1)).toBe(1);
    expect(chooseWorkerCount('http://203.0.113.7', 2)).toBe(1);
    expect(chooseWorkerCount('http://203.0.113.7', 4)).toBe(3);
    expect(chooseWorkerCount('http://example.test', 16)).toBe(4);
  });

  it('knows loopback names and addresses as this machine, and others not', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '0.0.0.0', 'app.localhost']) expect(isThisMachine(host), host).toBe(true);
    for (const host of ['203.0.113.7', 'example.test']) expect(isThisMachine(host), host).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { EcomError, UsageError } from '../../src/common/ecom-error.js';
import { formatError } from '../../src/common/format-error.js';

describe('formatError: the one line the CLI prints', () => {
  it('is `ecom: MESSAGE` for a bare error', () => {
    expect(formatError(new EcomError('start_failed', 'the cluster did not come up within 120 s'))).toBe('ecom: the cluster did not come up within 120 s');
  });

  it('adds the cause in parentheses and the hint after a dash', () => {
    const err = new EcomError('start_failed', 'the daemon stopped while starting', {
      cause: new Error('EADDRINUSE'),
      hint: 'see daemon.log',
    });
    expect(formatError(err)).toBe('ecom: the daemon stopped while starting (EADDRINUSE) — see daemon.log');
  });

  it("uses the code's hint from the list", () => {
    const err = new UsageError('cluster_file_missing', 'x.json: no such file');
    expect(formatError(err)).toBe('ecom: x.json: no such file — pass -c with an existing cluster file');
  });

  it('uses the same hint for a code whatever hint the throw site passed', () => {
    const a = formatError(new EcomError('already_running', 'a cluster already runs for /s', { hint: 'see it with `ecom status`' }));
    const b = formatError(new EcomError('already_running', 'a cluster already runs for /s'));
    expect(a).toBe(b);
    expect(a).toBe('ecom: a cluster already runs for /s — see `ecom status`, or stop it with `ecom down`');
  });

  it('leaves out a cause that is not an Error', () => {
    expect(formatError(new EcomError('seed_failed', 'admin login answered 500', { cause: 'text' }))).toBe('ecom: admin login answered 500');
  });

  it('prints the message of any other Error, and any other value as text', () => {
    expect(formatError(new TypeError('boom'))).toBe('ecom: boom');
    expect(formatError('plain')).toBe('ecom: plain');
    expect(formatError(42)).toBe('ecom: 42');
  });

  it('prints the stack and the cause stack with debug', () => {
    const cause = new Error('inner');
    const text = formatError(new EcomError('daemon_unreachable', 'no ecom daemon answers', { cause }), { debug: true });
    expect(text.startsWith('ecom: EcomError: no ecom daemon answers\n    at ')).toBe(true);
    expect(text).toContain('\ncaused by: Error: inner\n    at ');
  });
});

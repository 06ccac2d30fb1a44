import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

describe('the npm package (npm pack / npm i -g)', () => {
  it('holds the executable shim, the built program, the templates and the docs — and no tests, sources or binary', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    for (const needed of [
      'bin/ecom',
      'dist/cli/main.js',
      'dist/services/shared/start-service.js',
      'templates/nginx.conf.hbs',
      'templates/redis/cache-read.lua',
      'README.md',
      'docs/commands.md',
    ]) {
      expect(files, needed).toContain(needed);
    }
    expect(files.filter((f) => /^(src|tests|bench|scripts)\//.test(f) || f === 'dist/ecom' || f.startsWith('dist/binary/'))).toEqual([]);
  });
});

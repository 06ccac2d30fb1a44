import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { EcomError } from '../../common/ecom-error.js';
import { assetFile, IN_BINARY } from '../../common/locate-assets.js';

/**
 * ecom's single executable, which the app image runs: this very program when it is the binary; from a source
 * checkout `dist/ecom`, (re)built first with `scripts/build-binary.mjs --if-stale` when `build` is set.
 */
export async function locateAppBinary(options: { build: boolean; onProgress?: (line: string) => void }): Promise<string> {
  if (IN_BINARY) return process.execPath;
  const binary = assetFile('dist/ecom');
  const script = assetFile('scripts/build-binary.mjs');
  if (options.build && existsSync(script)) {
    options.onProgress?.('checking the single executable (dist/ecom) is up to date');
    const run = execa(process.execPath, [script, '--if-stale'], { cwd: assetFile('.'), reject: false, all: true });
    run.all?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) options.onProgress?.(line.trim());
    });
    const result = await run;
    if (result.exitCode !== 0) {
      throw new EcomError(
        'docker_build_failed',
        `building dist/ecom failed: ${String(result.all ?? '')
          .trim()
          .split('\n')
          .slice(-3)
          .join(' | ')}`,
        {
          hint: 'run `npm run build:binary` and read its output',
        },
      );
    }
  }
  if (!existsSync(binary)) {
    throw new EcomError('docker_build_failed', `ecom's single executable ${binary} does not exist`, { hint: 'build it with `npm run build:binary`' });
  }
  return binary;
}

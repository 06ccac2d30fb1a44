import { renameSync, writeFileSync } from 'node:fs';
import type { NginxPaths } from '../config/state-layout.js';
import { validateNginxConfig } from './control-nginx.js';

/**
 * Writes a candidate beside the live nginx.conf, checks it with `nginx -t` and moves it into place; resolves with
 * nginx's complaint (and installs nothing) when it is refused.
 */
export async function installNginxConfig(paths: NginxPaths, text: string): Promise<string | undefined> {
  const candidate = `${paths.config}.next`;
  writeFileSync(candidate, text);
  const problem = await validateNginxConfig(paths, candidate);
  if (problem) return problem;
  renameSync(candidate, paths.config);
  return undefined;
}

import { join } from 'node:path';

/** Where a cluster's nginx keeps its files: its prefix (-p) inside the state dir. */
export interface NginxPaths {
  prefix: string;
  config: string;
  pidFile: string;
  errorLog: string;
  accessLog: string;
}

/** The nginx file layout under `<stateDir>/nginx`. */
export function nginxPaths(stateDir: string): NginxPaths {
  const prefix = join(stateDir, 'nginx');
  return {
    prefix,
    config: join(prefix, 'nginx.conf'),
    pidFile: join(prefix, 'nginx.pid'),
    errorLog: join(prefix, 'error.log'),
    accessLog: join(prefix, 'access.log'),
  };
}

import { join } from 'node:path';

/** Path of a service kind's SQLite file inside the state dir. */
export function databasePath(stateDir: string, kind: string): string {
  return join(stateDir, 'data', `${kind}.db`);
}

import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { EcomError } from '../common/ecom-error.js';
import { stateLayout } from './state-layout.js';

const credentialsSchema = z.object({
  admin: z.object({ email: z.string(), password: z.string() }),
  clusterToken: z.string().min(16),
  jwtSecret: z.string().min(32),
});

/** The cluster's secrets: admin login, the token services and the registry use among themselves, the JWT key. */
export type Credentials = z.infer<typeof credentialsSchema>;

/** The admin account every cluster is born with. */
export const ADMIN_EMAIL = 'admin@ecom.local';

/** Path of the credentials file inside a state dir. */
export function credentialsPath(stateDir: string): string {
  return stateLayout(stateDir).credentials;
}

function readCredentials(file: string): Credentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new EcomError('credentials_unreadable', `${file}: cannot be read as JSON`, {
      cause,
      hint: 'delete it only if no cluster uses this state dir; the next start makes a new one',
    });
  }
  const result = credentialsSchema.safeParse(parsed);
  if (!result.success) {
    throw new EcomError('credentials_invalid', `${file}: missing or malformed fields`, {
      hint: 'delete it only if no cluster uses this state dir; the next start makes a new one',
    });
  }
  return result.data;
}

/**
 * Returns the state dir's credentials, creating them on first use. Creation is atomic across processes:
 * the file is written complete under a temporary name and hard-linked into place, which fails if another
 * process won the race, so every instance started at the same moment reads the same secrets.
 */
export function ensureCredentials(stateDir: string): Credentials {
  mkdirSync(stateDir, { recursive: true });
  const file = credentialsPath(stateDir);
  try {
    return readCredentials(file);
  } catch (err) {
    if (!(err instanceof EcomError) || (err.cause as NodeJS.ErrnoException | undefined)?.code !== 'ENOENT') throw err;
  }
  const fresh: Credentials = {
    admin: { email: ADMIN_EMAIL, password: randomBytes(18).toString('base64url') },
    clusterToken: randomBytes(32).toString('base64url'),
    jwtSecret: randomBytes(48).toString('base64url'),
  };
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  return readCredentials(file);
}

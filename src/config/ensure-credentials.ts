import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { EcomError } from '../common/ecom-error.js';
import { stateLayout } from './state-layout.js';
import { sleepSync } from '../common/sleep-sync.js';

const legacySchema = z.object({
  admin: z.object({ email: z.string(), password: z.string() }),
  clusterToken: z.string().min(16),
  jwtSecret: z.string().min(32),
});
const credentialsSchema = legacySchema.extend({ redisPassword: z.string().regex(/^[A-Za-z0-9_-]{32,}$/) });

/**
 * The cluster's secrets: admin login, the token services and the registry use among themselves, the JWT key, and
 * the password redis-server requires of every client.
 */
export type Credentials = z.infer<typeof credentialsSchema>;

/** The admin account every cluster is born with. */
export const ADMIN_EMAIL = 'admin@ecom.local';

/** Path of the credentials file inside a state dir. */
export function credentialsPath(stateDir: string): string {
  return stateLayout(stateDir).credentials;
}

const RECREATE = 'delete it only if no cluster uses this state dir; the next start makes a new one';
const secret = (bytes: number): string => randomBytes(bytes).toString('base64url');

/** The file's JSON object, `undefined` when it does not exist. */
function readRaw(file: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EcomError('credentials_unreadable', `${file}: cannot be read`, { cause, hint: RECREATE });
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch (cause) {
    throw new EcomError('credentials_unreadable', `${file}: cannot be read as JSON`, { cause, hint: RECREATE });
  }
  throw new EcomError('credentials_invalid', `${file}: missing or malformed fields`, { hint: RECREATE });
}

/** Writes `content` under a temporary name with mode 0600, for linking or renaming into place. */
function writeTemp(file: string, content: unknown): string {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  return tmp;
}

/** Runs `fn` holding `<file>.lock` (exclusive create); a lock older than 10 s is left by a dead process and taken over. */
function withLock<T>(file: string, fn: () => T): T {
  const lock = `${file}.lock`;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx', 0o600));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 10_000) rmSync(lock, { force: true });
      else sleepSync(10);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * A credentials file from before redis-server had a password gets one added: under a lock, re-read, the new field
 * added to every field already there, written whole and renamed into place — a reader sees the old file or the new.
 */
function addRedisPassword(file: string): void {
  withLock(file, () => {
    const raw = readRaw(file);
    if (!raw || credentialsSchema.safeParse(raw).success) return;
    const tmp = writeTemp(file, { ...raw, redisPassword: secret(32) });
    try {
      renameSync(tmp, file);
    } finally {
      rmSync(tmp, { force: true });
    }
  });
}

/** Parses the file, upgrading it once when only the redis password is missing; `undefined` when there is none. */
function readCredentials(file: string): Credentials | undefined {
  const raw = readRaw(file);
  if (!raw) return undefined;
  const result = credentialsSchema.safeParse(raw, { jitless: true }); // once per process: see load-cluster-file.ts
  if (result.success) return result.data;
  if (legacySchema.safeParse(raw).success && raw.redisPassword === undefined) {
    addRedisPassword(file);
    return readCredentials(file);
  }
  throw new EcomError('credentials_invalid', `${file}: missing or malformed fields`, { hint: RECREATE });
}

/**
 * Returns the state dir's credentials, creating them on first use. Creation is atomic across processes:
 * the file is written complete under a temporary name and hard-linked into place, which fails if another
 * process won the race, so every instance started at the same moment reads the same secrets.
 */
export function ensureCredentials(stateDir: string): Credentials {
  mkdirSync(stateDir, { recursive: true });
  const file = credentialsPath(stateDir);
  const existing = readCredentials(file);
  if (existing) return existing;
  const fresh: Credentials = {
    admin: { email: ADMIN_EMAIL, password: secret(18) },
    clusterToken: secret(32),
    jwtSecret: secret(48),
    redisPassword: secret(32),
  };
  const tmp = writeTemp(file, fresh);
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  const created = readCredentials(file);
  if (!created) throw new EcomError('credentials_unreadable', `${file}: vanished while being created`, { hint: RECREATE });
  return created;
}

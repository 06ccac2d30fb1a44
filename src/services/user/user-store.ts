import type { Db } from '../shared/open-database.js';
import type { OutboxStore } from '../shared/outbox-store.js';

/** A user as the API shows it: never the password hash. */
export interface PublicUser {
  id: number;
  email: string;
  name: string;
  address: string;
  phone: string;
  role: 'customer' | 'admin';
  createdAt: string;
  updatedAt: string;
  /** Grows with every profile change; events carry it so consumers never apply an older profile over a newer one. */
  profileVersion: number;
}

/** Schema versions of user.db, applied in order, never rewritten. */
export const USER_MIGRATIONS = [
  `CREATE TABLE users (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     email TEXT NOT NULL UNIQUE,
     password_hash TEXT NOT NULL,
     name TEXT NOT NULL,
     address TEXT NOT NULL DEFAULT '',
     phone TEXT NOT NULL DEFAULT '',
     role TEXT NOT NULL CHECK (role IN ('customer', 'admin')),
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   )`,
  `ALTER TABLE users ADD COLUMN profile_version INTEGER NOT NULL DEFAULT 0`,
  `CREATE TABLE login_guard (
     user_id INTEGER PRIMARY KEY REFERENCES users(id),
     attempts INTEGER NOT NULL,
     locked_until_ms INTEGER NOT NULL
   )`,
] as const;

interface UserRow {
  id: number;
  email: string;
  password_hash: string;
  name: string;
  address: string;
  phone: string;
  role: 'customer' | 'admin';
  created_at: string;
  updated_at: string;
  profile_version: number;
}

const toPublic = (row: UserRow): PublicUser => ({
  id: row.id,
  email: row.email,
  name: row.name,
  address: row.address,
  phone: row.phone,
  role: row.role,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  profileVersion: row.profile_version,
});

/** Thrown by `create` when the email belongs to someone already. */
export class EmailTakenError extends Error {}

/** All SQL of the user service. */
export interface UserStore {
  create(input: { email: string; passwordHash: string; name: string; address: string; phone: string; role: 'customer' | 'admin' }): PublicUser;
  /** Creates the admin account unless that email exists already (concurrent starts are fine). */
  ensureAdmin(email: string, passwordHash: string): void;
  findCredentials(email: string): { user: PublicUser; passwordHash: string } | undefined;
  get(id: number): PublicUser | undefined;
  update(id: number, patch: { name?: string; address?: string; phone?: string }): PublicUser | undefined;
  /**
   * Counts a login attempt on an account before its password is checked, shared by every instance: answers the time
   * until which the account is locked (0: go ahead). `lockMs(attempts)` says how long the n-th attempt locks it.
   */
  beginLoginAttempt(userId: number, nowMs: number, lockMs: (attempts: number) => number): number;
  /** A correct password: the account's attempt count starts again. */
  clearLoginAttempts(userId: number): void;
}

/** Prepares the user store's statements on an open database; changes announce themselves through `outbox`. */
export function openUserStore(db: Db, outbox: OutboxStore): UserStore {
  const insert = db.prepare(
    `INSERT INTO users (email, password_hash, name, address, phone, role, created_at, updated_at)
     VALUES (@email, @passwordHash, @name, @address, @phone, @role, @now, @now) RETURNING *`,
  );
  const insertAdmin = db.prepare(
    `INSERT INTO users (email, password_hash, name, role, created_at, updated_at)
     VALUES (?, ?, 'Administrator', 'admin', ?, ?) ON CONFLICT(email) DO NOTHING`,
  );
  const byEmail = db.prepare('SELECT * FROM users WHERE email = ?');
  const byId = db.prepare('SELECT * FROM users WHERE id = ?');
  const update = db.prepare(
    `UPDATE users SET name = coalesce(@name, name), address = coalesce(@address, address),
       phone = coalesce(@phone, phone), updated_at = @now, profile_version = profile_version + 1
     WHERE id = @id RETURNING *`,
  );
  const guardOf = db.prepare('SELECT attempts, locked_until_ms FROM login_guard WHERE user_id = ?');
  const saveGuard = db.prepare(
    `INSERT INTO login_guard (user_id, attempts, locked_until_ms) VALUES (?, ?, ?)
     ON CONFLICT(user_id) DO UPDATE SET attempts = excluded.attempts, locked_until_ms = excluded.locked_until_ms`,
  );
  const clearGuard = db.prepare('DELETE FROM login_guard WHERE user_id = ?');
  const countAttempt = db.transaction((userId: number, nowMs: number, lockMs: (attempts: number) => number): number => {
    const row = guardOf.get(userId) as { attempts: number; locked_until_ms: number } | undefined;
    if (row && row.locked_until_ms > nowMs) return row.locked_until_ms;
    const attempts = (row?.attempts ?? 0) + 1;
    const lock = lockMs(attempts);
    saveGuard.run(userId, attempts, lock > 0 ? nowMs + lock : 0);
    return 0;
  });
  const register = db.transaction((input: Parameters<UserStore['create']>[0]): PublicUser => {
    const user = toPublic(insert.get({ ...input, now: new Date().toISOString() }) as UserRow);
    outbox.append('USER_REGISTERED', {
      userId: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      at: user.createdAt,
      address: user.address,
      phone: user.phone,
      profileVersion: user.profileVersion,
    });
    return user;
  });
  const updateProfile = db.transaction((id: number, patch: { name?: string; address?: string; phone?: string }): PublicUser | undefined => {
    const row = update.get({
      id,
      name: patch.name ?? null,
      address: patch.address ?? null,
      phone: patch.phone ?? null,
      now: new Date().toISOString(),
    }) as UserRow | undefined;
    if (!row) return undefined;
    const user = toPublic(row);
    outbox.append('PROFILE_UPDATED', {
      userId: user.id,
      name: user.name,
      address: user.address,
      phone: user.phone,
      profileVersion: user.profileVersion,
    });
    return user;
  });
  return {
    create(input) {
      try {
        return register(input);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new EmailTakenError(input.email);
        throw err;
      }
    },
    ensureAdmin(email, passwordHash) {
      const now = new Date().toISOString();
      insertAdmin.run(email, passwordHash, now, now);
    },
    findCredentials(email) {
      const row = byEmail.get(email) as UserRow | undefined;
      return row && { user: toPublic(row), passwordHash: row.password_hash };
    },
    get(id) {
      const row = byId.get(id) as UserRow | undefined;
      return row && toPublic(row);
    },
    update: (id, patch) => updateProfile(id, patch),
    beginLoginAttempt: (userId, nowMs, lockMs) => countAttempt.immediate(userId, nowMs, lockMs),
    clearLoginAttempts(userId) {
      clearGuard.run(userId);
    },
  };
}

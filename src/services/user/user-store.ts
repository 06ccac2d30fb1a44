import type { Db } from '../kit/open-database.js';

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
}

/** Prepares the user store's statements on an open database. */
export function openUserStore(db: Db): UserStore {
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
       phone = coalesce(@phone, phone), updated_at = @now WHERE id = @id RETURNING *`,
  );
  return {
    create(input) {
      try {
        return toPublic(insert.get({ ...input, now: new Date().toISOString() }) as UserRow);
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
    update(id, patch) {
      const row = update.get({
        id,
        name: patch.name ?? null,
        address: patch.address ?? null,
        phone: patch.phone ?? null,
        now: new Date().toISOString(),
      }) as UserRow | undefined;
      return row && toPublic(row);
    },
  };
}

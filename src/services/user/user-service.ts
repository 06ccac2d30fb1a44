import { Router, type Request } from 'express';
import { z } from 'zod';
import { currentUser } from '../../kit/authorize-requests.js';
import { STRICT_ROUTING } from '../../kit/create-service-app.js';
import { httpError, notFound } from '../../kit/http-error.js';
import type { ServiceDefinition } from '../shared/service-definition.js';
import { atStart } from '../shared/open-database.js';
import { retryWhileBusy } from '../shared/retry-while-busy.js';
import { sendJson } from '../shared/send-json.js';
import { validateInput } from '../../kit/validate-input.js';
import { loginLockMs } from './login-backoff.js';
import { decoyHash, hashPassword, verifyPassword } from './hash-password.js';
import { EmailTakenError, USER_MIGRATIONS, openUserStore, type PublicUser } from './user-store.js';

const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: 'expected an email address' }))
  .pipe(z.string().max(254));
const registerBody = z.object({
  email,
  password: z.string().min(8, 'expected at least 8 characters').max(256),
  name: z.string().trim().min(1, 'expected a non-empty name').max(200),
  address: z.string().trim().max(500).optional(),
  phone: z.string().trim().max(40).optional(),
});
const loginBody = z.object({ email, password: z.string().min(1).max(256) });
const patchBody = z
  .object({
    name: z.string().trim().min(1, 'expected a non-empty name').max(200).optional(),
    address: z.string().trim().max(500).optional(),
    phone: z.string().trim().max(40).optional(),
  })
  .strict();
const idParam = z.coerce.number().int().positive();

/** The user service: accounts, login (JWT), profiles; profiles are cached per user. */
export const userService: ServiceDefinition = {
  kind: 'user',
  migrations: USER_MIGRATIONS,
  async create({ db, cache, tokens, auth, credentials, log, outbox }) {
    const store = openUserStore(db, outbox);
    // The admin account is made once (hashing its password at every start would cost each instance an scrypt), and
    // while the instance starts to serve: awaited before listening, that scrypt held a fresh cluster's user service
    // back by 100-150 ms. Login and registration wait for it, so the account exists before anyone can sign in; a
    // creation that failed is tried again by the next of them (a start that failed used to be restarted).
    let adminCreation: Promise<void> | undefined;
    const adminReady = (): Promise<void> =>
      (adminCreation ??= store.findCredentials(credentials.admin.email)
        ? Promise.resolve()
        : hashPassword(credentials.admin.password)
            .then((adminHash) => atStart(db, () => store.ensureAdmin(credentials.admin.email, adminHash)))
            .catch((err: unknown) => {
              adminCreation = undefined;
              log.error('could not create the admin account', { error: err instanceof Error ? err.message : String(err) });
              throw err;
            }));
    adminReady().catch(() => undefined);
    const readUser = (id: number): Promise<PublicUser | undefined> => cache.read('user', String(id), () => store.get(id));
    const pathId = (req: Request): number => validateInput(idParam, req.params.id, 'id');

    const routes = Router(STRICT_ROUTING);
    routes.post('/api/users/register', async (req, res) => {
      const body = validateInput(registerBody, req.body);
      await adminReady();
      const passwordHash = await hashPassword(body.password);
      try {
        const user = await retryWhileBusy(() =>
          store.create({ ...body, address: body.address ?? '', phone: body.phone ?? '', passwordHash, role: 'customer' }),
        );
        log.info('user registered', { userId: user.id });
        res.status(201).json({ user });
      } catch (err) {
        if (err instanceof EmailTakenError) throw httpError(409, 'email_taken', 'an account with this email exists');
        throw err;
      }
    });
    routes.post('/api/users/login', async (req, res) => {
      const body = validateInput(loginBody, req.body);
      await adminReady();
      const found = store.findCredentials(body.email);
      if (found) {
        const now = Date.now();
        const lockedUntil = await retryWhileBusy(() => store.beginLoginAttempt(found.user.id, now, loginLockMs));
        if (lockedUntil > 0) {
          res.setHeader('Retry-After', String(Math.ceil((lockedUntil - now) / 1000)));
          throw httpError(429, 'too_many_attempts', 'too many failed logins for this account, try again later');
        }
      }
      const ok = await verifyPassword(body.password, found?.passwordHash ?? (await decoyHash()));
      if (!found || !ok) throw httpError(401, 'invalid_credentials', 'email or password is wrong');
      await retryWhileBusy(() => store.clearLoginAttempts(found.user.id));
      const token = await tokens.sign({ userId: found.user.id, role: found.user.role });
      sendJson(res, 200, { token, user: found.user });
    });
    routes.get('/api/users/me', auth.user, async (req, res) => {
      const user = await readUser(currentUser(req).userId);
      if (!user) throw notFound('user');
      sendJson(res, 200, { user });
    });
    routes.patch('/api/users/me', auth.user, async (req, res) => {
      const patch = validateInput(patchBody, req.body);
      const { userId } = currentUser(req);
      const user = await retryWhileBusy(() => store.update(userId, patch));
      if (!user) throw notFound('user');
      await cache.invalidate([{ ns: 'user', key: String(userId) }]);
      sendJson(res, 200, { user });
    });
    routes.get('/api/users/:id', auth.user, async (req, res) => {
      const caller = currentUser(req);
      const id = pathId(req);
      if (caller.userId !== id && caller.role !== 'admin') throw httpError(403, 'forbidden', 'you can only read your own account');
      const user = await readUser(id);
      if (!user) throw notFound('user');
      sendJson(res, 200, { user });
    });
    routes.get('/internal/users/:id', auth.cluster, async (req, res) => {
      const user = await readUser(pathId(req));
      if (!user) throw notFound('user');
      sendJson(res, 200, { user });
    });
    return { routes };
  },
};

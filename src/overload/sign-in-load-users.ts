import { EcomError } from '../common/ecom-error.js';
import type { SetupCall } from './build-scenario.js';

/** The account of load user `n`: the same as `ecom seed`'s, so seeded users are reused and the rest created once. */
export const loadUserAccount = (n: number): { email: string; password: string } => ({ email: `seed-user-${n}@ecom.local`, password: 'seed-password' });

/** What signing in needs: how many accounts, how many sign-ins at once, and where progress goes. */
export interface SignInOptions {
  count: number;
  parallel: number;
  onProgress?: (line: string) => void;
}

/**
 * Signs `count` accounts in (registering those that do not exist yet), `parallel` at a time — each login costs the
 * user service a password hash — and returns their tokens in account order. A failure names the account, the call
 * and its answer, rather than suggesting the cluster is down.
 */
export async function signInLoadUsers(call: SetupCall, options: SignInOptions): Promise<string[]> {
  const tokens: string[] = new Array<string>(options.count);
  let next = 1;
  let done = 0;
  const failed = (email: string, what: string, status: number): EcomError =>
    new EcomError('scenario_setup_failed', `signing in load user ${email}: ${what} answered ${status}`, {
      hint: status === 429 ? 'the gateway kept limiting sign-ins: use fewer --users' : 'see `ecom logs user`',
    });
  const signIn = async (n: number): Promise<string> => {
    const { email, password } = loadUserAccount(n);
    let login = await call('POST', '/api/users/login', { email, password });
    if (login.status === 401) {
      const reg = await call('POST', '/api/users/register', { email, password, name: `Load User ${n}`, address: `${n} Load Lane`, phone: '555-0000' });
      if (reg.status !== 201 && reg.status !== 409) throw failed(email, 'POST /api/users/register', reg.status);
      login = await call('POST', '/api/users/login', { email, password });
    }
    if (login.status !== 200 || typeof login.body?.token !== 'string') throw failed(email, 'POST /api/users/login', login.status);
    return login.body.token;
  };
  const worker = async (): Promise<void> => {
    while (next <= options.count) {
      const n = next++;
      tokens[n - 1] = await signIn(n);
      done++;
      if (done === options.count || done % Math.max(1, Math.ceil(options.count / 10)) === 0) {
        options.onProgress?.(`signed in ${done}/${options.count} load users`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.parallel, options.count) }, worker));
  return tokens;
}

import { EcomError } from '../common/ecom-error.js';
import type { ClusterConfig } from '../config/cluster-schema.js';
import { ensureCredentials } from '../config/ensure-credentials.js';
import { gatewayUrlOf } from '../config/cluster-urls.js';

/** A parsed JSON object answer. */
type JsonObject = Record<string, unknown>;

/** What `ecom seed` created. */
export interface SeedResult {
  products: { created: number; firstId: number | null; lastId: number | null };
  users: { created: number; existing: number; password: string; emails: string[] };
}

const ADJECTIVES = ['Classic', 'Compact', 'Deluxe', 'Eco', 'Ultra', 'Smart', 'Vintage', 'Rugged', 'Silent', 'Bright'];
const NOUNS = ['Kettle', 'Backpack', 'Lamp', 'Headphones', 'Notebook', 'Bottle', 'Chair', 'Keyboard', 'Jacket', 'Watch'];

async function post(url: string, body: unknown, token?: string): Promise<{ status: number; body: JsonObject | undefined }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as JsonObject | undefined };
}

async function inBatches(count: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/**
 * Loads a sample catalogue and customers into a running cluster through its gateway, as the admin: products with
 * plenty of stock, and users `seed-user-<n>@ecom.local` sharing one password (re-seeding skips existing users).
 */
export async function seedCluster(
  cluster: ClusterConfig,
  counts: { products: number; users: number },
  onProgress?: (line: string) => void,
): Promise<SeedResult> {
  const gateway = gatewayUrlOf(cluster);
  const { admin } = ensureCredentials(cluster.stateDir);
  let login: { status: number; body: JsonObject | undefined };
  try {
    login = await post(`${gateway}/api/users/login`, admin);
  } catch (cause) {
    throw new EcomError('gateway_unreachable', `no gateway answers at ${gateway}`, { cause, hint: 'start the cluster with `ecom up -d`' });
  }
  if (login.status !== 200)
    throw new EcomError('seed_failed', `admin login answered ${login.status}`, { hint: 'is this the state dir of the running cluster?' });
  const token = login.body?.token as string;
  const ids: number[] = [];
  await inBatches(counts.products, 8, async (i) => {
    const name = `${ADJECTIVES[i % ADJECTIVES.length]} ${NOUNS[Math.floor(i / ADJECTIVES.length) % NOUNS.length]} ${i + 1}`;
    const res = await post(
      `${gateway}/api/products`,
      { name, description: `Sample product ${i + 1}`, price: 199 + ((i * 7919) % 19_800), stock: 1_000_000 },
      token,
    );
    if (res.status !== 201) throw new EcomError('seed_failed', `creating a product answered ${res.status}: ${JSON.stringify(res.body?.error ?? '')}`);
    ids.push((res.body?.product as { id: number }).id);
    if (ids.length % 100 === 0) onProgress?.(`${ids.length}/${counts.products} products`);
  });
  const password = 'seed-password';
  const emails: string[] = [];
  let existing = 0;
  await inBatches(counts.users, 4, async (i) => {
    const email = `seed-user-${i + 1}@ecom.local`;
    const res = await post(`${gateway}/api/users/register`, {
      email,
      password,
      name: `Seed User ${i + 1}`,
      address: `${i + 1} Seed Street`,
      phone: `555-${String(i).padStart(4, '0')}`,
    });
    if (res.status === 409) existing++;
    else if (res.status !== 201) throw new EcomError('seed_failed', `registering a user answered ${res.status}`);
    emails.push(email);
  });
  ids.sort((a, b) => a - b);
  return {
    products: { created: ids.length, firstId: ids[0] ?? null, lastId: ids.at(-1) ?? null },
    users: { created: emails.length - existing, existing, password, emails: emails.sort() },
  };
}

import { Readable } from 'node:stream';
import { EcomError } from '../common/ecom-error.js';
import { sendProductImport } from '../services/product/send-product-import.js';
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

/** The sample products, as JSON Lines generated on the fly (chunks of 1,000). */
function* sampleProducts(count: number): Generator<string> {
  for (let start = 0; start < count; start += 1000) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const name = `${ADJECTIVES[i % ADJECTIVES.length]} ${NOUNS[Math.floor(i / ADJECTIVES.length) % NOUNS.length]} ${i + 1}`;
      lines.push(JSON.stringify({ name, description: `Sample product ${i + 1}`, price: 199 + ((i * 7919) % 19_800), stock: 1_000_000 }));
    }
    yield `${lines.join('\n')}\n`;
  }
}

/** Creates the sample products through the product service's bulk import path (`ecom import products`). */
async function seedProducts(cluster: ClusterConfig, count: number): Promise<SeedResult['products']> {
  if (count === 0) return { created: 0, firstId: null, lastId: null };
  const summary = await sendProductImport({ cluster, body: Readable.from(sampleProducts(count)), format: 'jsonl', onError: 'abort' });
  if (summary.refused || summary.imported !== count) {
    throw new EcomError(
      'seed_failed',
      `the product import took ${summary.imported} of ${count} products${summary.errors[0] ? `: ${summary.errors[0].message}` : ''}`,
    );
  }
  return { created: summary.imported, firstId: summary.firstId, lastId: summary.lastId };
}

/**
 * Loads a sample catalogue and customers into a running cluster: products with plenty of stock through a product
 * instance's bulk import path (with the cluster token), and users `seed-user-<n>@ecom.local` sharing one password (re-seeding skips existing users).
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
  const products = await seedProducts(cluster, counts.products);
  if (counts.products > 0) onProgress?.(`${products.created}/${counts.products} products`);
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
  return {
    products,
    users: { created: emails.length - existing, existing, password, emails: emails.sort() },
  };
}

import { EcomError } from '../common/ecom-error.js';
import { callRegistry } from './call-registry.js';
import type { RegistrySnapshot } from './registry-state.js';

/** Fetches the registry's current listing once; fails with a hint when no registry answers. */
export async function readRegistry(registryUrl: string): Promise<RegistrySnapshot> {
  try {
    const res = await callRegistry(registryUrl, '/v1/services', { timeoutMs: 3000 });
    if (res.status !== 200) throw new Error(`answered ${res.status}`);
    return res.body as RegistrySnapshot;
  } catch (cause) {
    throw new EcomError('registry_unreachable', `no registry answers at ${registryUrl}`, {
      cause,
      hint: 'start the cluster with `ecom up`, or the registry alone with `ecom iscs`',
    });
  }
}

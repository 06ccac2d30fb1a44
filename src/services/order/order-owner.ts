import type { PeerResolver } from '../shared/resolve-peers.js';

/** How an order instance signs the attempts it starts: its instance id and its pid. */
export function ownerOf(id: number, pid: number): string {
  return `${id}:${pid}`;
}

/**
 * Whether the process that signed an attempt still lives, by the registry's listing: the same instance id still
 * registered with the same pid. An instance that was killed and restarted registers a new pid; one that is gone
 * drops out of the listing (its TTL). When the listing cannot tell (no pid registered), the owner counts as alive.
 */
export function ownerAliveIn(resolver: PeerResolver, self: { id: number; pid: number }): (owner: string) => boolean {
  return (owner) => {
    const [idText, pidText] = owner.split(':');
    const id = Number(idText);
    if (id === self.id) return Number(pidText) === self.pid;
    const listed = resolver.list('order').find((i) => i.id === id);
    if (!listed) return false;
    const pid = listed.meta?.pid;
    return pid === undefined || pid === pidText;
  };
}

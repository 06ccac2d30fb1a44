import type { EventType } from './outbox-store.js';

/** The Redis stream every service publishes its domain events to. */
export const EVENT_STREAM = 'ecom:events';

/** Approximate cap of the stream's length (XADD MAXLEN ~). */
export const EVENT_STREAM_MAXLEN = 100_000;

/** An event as consumers receive it. `id` is unique per event (`<service>:<outbox id>`), whoever relayed it. */
export interface DomainEvent {
  id: string;
  type: EventType;
  payload: unknown;
  ts: string;
  source: string;
}

/** Reads a stream entry's flat field list (`[k1, v1, k2, v2, ...]`) back into an event. */
export function decodeEvent(fields: readonly string[]): DomainEvent | undefined {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
  const id = map.get('id');
  const type = map.get('type') as EventType | undefined;
  const payload = map.get('payload');
  if (!id || !type || payload === undefined) return undefined;
  try {
    return { id, type, payload: JSON.parse(payload), ts: map.get('ts') ?? '', source: map.get('source') ?? '' };
  } catch {
    return undefined;
  }
}

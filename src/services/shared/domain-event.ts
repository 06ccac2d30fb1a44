import type { EventType } from './outbox-store.js';

/** The Redis stream every service publishes its domain events to. */
export const EVENT_STREAM = 'ecom:events';

/** How many entries the stream keeps once every consumer group has acknowledged them (history for `ecom events`). */
export const EVENT_STREAM_KEEP = 100_000;

/** The Redis list of events whose handler kept failing (newest first), shown by `ecom events --dead`. */
export const DEAD_LETTERS = 'ecom:events:dead';

/** How many times a consumer runs a failing handler on one event before it gives the event up as a dead letter. */
export const MAX_HANDLER_ATTEMPTS = 5;

/** One dead letter: the event, the group that gave it up, and why. */
export interface DeadLetter {
  group: string;
  streamId: string;
  event: DomainEvent;
  attempts: number;
  error: string;
  at: string;
}

/** An event as consumers receive it. `id` is unique per event (`<service>:<outbox id>`), whoever relayed it. */
export interface DomainEvent {
  id: string;
  type: EventType;
  payload: unknown;
  ts: string;
  source: string;
}

/** A Redis flat field list (`[k1, v1, k2, v2, ...]`: stream entries, XINFO answers) as a map. */
export function fieldMap<T>(list: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (let i = 0; i + 1 < list.length; i += 2) map.set(String(list[i]), list[i + 1]!);
  return map;
}

/** A stream entry's flat field list for an event whose payload is already JSON text (what decodeEvent reads back). */
export function encodeEvent(e: { id: string; type: string; payload: string; ts: string; source: string }): string[] {
  return ['id', e.id, 'type', e.type, 'payload', e.payload, 'ts', e.ts, 'source', e.source];
}

/** Reads a stream entry's flat field list back into an event. */
export function decodeEvent(fields: readonly string[]): DomainEvent | undefined {
  const map = fieldMap(fields);
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

import type { Redis } from 'ioredis';
import { fieldMap } from './domain-event.js';

type StreamId = readonly [number, number];

const parseId = (id: string): StreamId => {
  const [ms, seq] = id.split('-');
  return [Number(ms), Number(seq ?? 0)];
};
const compare = (a: StreamId, b: StreamId): number => a[0] - b[0] || a[1] - b[1];
const after = (id: StreamId): StreamId => [id[0], id[1] + 1];
const format = (id: StreamId): string => `${id[0]}-${id[1]}`;

/**
 * Trims the stream `key` down towards `keep` entries, but only past entries that every consumer group has
 * acknowledged: the cut never goes beyond any group's oldest pending entry, nor past what a group has yet to read.
 * A stream without groups is left alone (nobody has read anything). Returns how many entries went.
 */
export async function trimEventStream(redis: Redis, key: string, keep: number): Promise<number> {
  const length = await redis.xlen(key);
  if (length <= keep) return 0;
  const groups = ((await redis.xinfo('GROUPS', key)) as unknown[][]).map((g) => fieldMap(g));
  if (groups.length === 0) return 0;
  let cut: StreamId | undefined;
  for (const group of groups) {
    const pending = Number(group.get('pending') ?? 0);
    let safe: StreamId;
    if (pending > 0) {
      const summary = (await redis.xpending(key, String(group.get('name')))) as [number, string | null, string | null, unknown];
      safe = parseId(summary[1] ?? '0-0');
    } else {
      safe = after(parseId(String(group.get('last-delivered-id') ?? '0-0')));
    }
    if (!cut || compare(safe, cut) < 0) cut = safe;
  }
  // Only entries older than the cut may go, and no more than the excess: read just those (a lagging group keeps
  // this short, however long the stream has grown behind it).
  const removable = (await redis.xrange(key, '-', `(${format(cut!)}`, 'COUNT', length - keep)) as Array<[string, unknown]>;
  const last = removable.at(-1);
  return last ? redis.xtrim(key, 'MINID', format(after(parseId(last[0])))) : 0;
}

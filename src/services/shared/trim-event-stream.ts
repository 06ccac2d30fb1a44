import type { Redis } from 'ioredis';

type StreamId = readonly [number, number];

const parseId = (id: string): StreamId => {
  const [ms, seq] = id.split('-');
  return [Number(ms), Number(seq ?? 0)];
};
const compare = (a: StreamId, b: StreamId): number => a[0] - b[0] || a[1] - b[1];
const after = (id: StreamId): StreamId => [id[0], id[1] + 1];
const format = (id: StreamId): string => `${id[0]}-${id[1]}`;

function fieldsOf(list: unknown[]): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (let i = 0; i + 1 < list.length; i += 2) map.set(String(list[i]), list[i + 1]);
  return map;
}

/**
 * Trims the stream `key` down towards `keep` entries, but only past entries that every consumer group has
 * acknowledged: the cut never goes beyond any group's oldest pending entry, nor past what a group has yet to read.
 * A stream without groups is left alone (nobody has read anything). Returns how many entries went.
 */
export async function trimEventStream(redis: Redis, key: string, keep: number): Promise<number> {
  const length = await redis.xlen(key);
  if (length <= keep) return 0;
  const groups = ((await redis.xinfo('GROUPS', key)) as unknown[][]).map(fieldsOf);
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
  const excess = (await redis.xrange(key, '-', '+', 'COUNT', length - keep)) as Array<[string, unknown]>;
  const last = excess.at(-1);
  if (last && compare(after(parseId(last[0])), cut!) < 0) cut = after(parseId(last[0]));
  return redis.xtrim(key, 'MINID', format(cut!));
}

/** What to invalidate: one entry of a namespace, or (no key) every entry of it. */
export interface CacheTarget {
  ns: string;
  key?: string;
}

const SEPARATOR = '\u0000';
const ESCAPE = '\u0001';
const escapeNs = (ns: string): string => ns.replace(/\u0001/g, '\u0001\u0001').replace(/\u0000/g, '\u0001\u0002');
const unescapeNs = (ns: string): string => ns.replace(/\u0001([\u0001\u0002])/g, (_, c: string) => (c === ESCAPE ? ESCAPE : SEPARATOR));

/**
 * The in-process and dirty-table name of a target: `ns`, or `ns \0 key`. A `\0` or `\1` in the namespace is escaped
 * (ordinary names are unchanged), so the first raw `\0` always separates, and any key, even one holding `\0`,
 * comes back whole from `decodeCacheTarget`.
 */
export function encodeCacheTarget(target: CacheTarget): string {
  const ns = escapeNs(target.ns);
  return target.key === undefined ? ns : `${ns}${SEPARATOR}${target.key}`;
}

/** The target a name from `encodeCacheTarget` stands for. */
export function decodeCacheTarget(name: string): CacheTarget {
  const at = name.indexOf(SEPARATOR);
  if (at < 0) return { ns: unescapeNs(name) };
  return { ns: unescapeNs(name.slice(0, at)), key: name.slice(at + 1) };
}

/** Where Redis keeps a namespace's generation counter, an entry's, and the entry's values (completed by `ng:kg`). */
export interface RedisCacheKeys {
  nsGen: string;
  keyGen: string;
  valuePrefix: string;
}

const PREFIX = 'ecom:cache:';

/** Redis key of the generation counter that `target` bumps. */
export function generationKey(target: CacheTarget): string {
  return target.key === undefined ? `${PREFIX}${target.ns}:gen` : `${PREFIX}${target.ns}:${target.key}:gen`;
}

/**
 * The Redis keys of entry (ns, key). Distinct entries of one namespace never share a key, whatever their keys hold
 * (`:`, `gen`, `:v:`), since every key ends in a fixed suffix; namespaces themselves must not contain `:`.
 */
export function redisCacheKeys(ns: string, key: string): RedisCacheKeys {
  return { nsGen: generationKey({ ns }), keyGen: generationKey({ ns, key }), valuePrefix: `${PREFIX}${ns}:${key}:v:` };
}

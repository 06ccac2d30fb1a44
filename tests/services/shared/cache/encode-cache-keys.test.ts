import { describe, expect, it } from 'vitest';
import {
  decodeCacheTarget,
  encodeCacheTarget,
  generationKey,
  redisCacheKeys,
  type CacheTarget,
} from '../../../../src/services/shared/cache/encode-cache-keys.js';

const awkward = ['', ':', '::', 'gen', ':gen', 'a:v:0:0', '\u0000', 'a\u0000b\u0000c', '\u0001', '\u0001\u0002', '\u0000\u0001', 'ünï😀', ' ', '20:0:q'];

describe('cache key codec', () => {
  it('round-trips every target, awkward namespaces and keys included', () => {
    const targets: CacheTarget[] = [];
    for (const ns of ['product', ...awkward]) {
      targets.push({ ns });
      for (const key of awkward) targets.push({ ns, key });
    }
    for (const target of targets) expect(decodeCacheTarget(encodeCacheTarget(target))).toEqual(target);
    // Distinct targets never share a name, so one dirty entry cannot stand for (or hide) another.
    expect(new Set(targets.map(encodeCacheTarget)).size).toBe(targets.length);
  });

  it('keeps the names written by earlier builds for ordinary namespaces', () => {
    expect(encodeCacheTarget({ ns: 'product', key: '12' })).toBe('product\u000012');
    expect(encodeCacheTarget({ ns: 'product-list' })).toBe('product-list');
    expect(decodeCacheTarget('product\u000012')).toEqual({ ns: 'product', key: '12' });
    expect(decodeCacheTarget('product-list')).toEqual({ ns: 'product-list' });
  });

  it('names Redis keys as every instance expects them', () => {
    expect(redisCacheKeys('product', '7')).toEqual({
      nsGen: 'ecom:cache:product:gen',
      keyGen: 'ecom:cache:product:7:gen',
      valuePrefix: 'ecom:cache:product:7:v:',
    });
    expect(generationKey({ ns: 'product-list' })).toBe('ecom:cache:product-list:gen');
    expect(generationKey({ ns: 'product', key: '7' })).toBe('ecom:cache:product:7:gen');
  });

  it('gives distinct entries of a namespace distinct Redis keys, whatever their keys hold', () => {
    const names = new Set<string>();
    let expected = 0;
    for (const key of awkward) {
      const keys = redisCacheKeys('product-list', key);
      names.add(keys.keyGen);
      for (const gens of ['0:0', '1:0', '0:1', '12:3']) names.add(`${keys.valuePrefix}${gens}`);
      expected += 5;
    }
    names.add(redisCacheKeys('product-list', 'x').nsGen);
    expect(names.size).toBe(expected + 1);
  });
});

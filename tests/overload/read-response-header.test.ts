import { describe, expect, it } from 'vitest';
import { readResponseHeader, type HeadFields } from '../../src/overload/read-response-header.js';

const fields = (): HeadFields => ({ bodyLeft: -1, chunked: false, closeAfter: false, instance: undefined, cache: undefined });
const read = (line: string, into = fields()): HeadFields => {
  const buf = Buffer.from(`xx${line}\r\n`, 'latin1');
  readResponseHeader(buf, 2, buf.length - 2, into);
  return into;
};

describe('readResponseHeader', () => {
  it('reads the instance and cache values, trimmed, in any case of the name', () => {
    expect(read('X-Instance-Id:  product-12 ')).toMatchObject({ instance: 'product-12' });
    expect(read('x-cache-status:\tHIT')).toMatchObject({ cache: 'HIT' });
    expect(read('Content-Length: 119')).toMatchObject({ bodyLeft: 119, instance: undefined });
  });

  it('answers a value seen before, and a value that differs from a known one only in length or one byte, right', () => {
    const a = read('X-Instance-Id: product-7').instance;
    const b = read('X-Instance-Id: product-7').instance;
    const c = read('X-Instance-Id: product-8').instance;
    const d = read('X-Cache-Status: product-8').cache;
    expect(a).toBe('product-7');
    expect(b).toBe('product-7');
    expect(c).toBe('product-8');
    expect(d).toBe('product-8');
    expect(read('X-Instance-Id: product-78').instance).toBe('product-78');
  });

  it('still reads every value right once more distinct values came than it keeps', () => {
    for (let i = 0; i < 100; i++) expect(read(`X-Instance-Id: p-${i}`).instance).toBe(`p-${i}`);
    expect(read('X-Instance-Id: p-99').instance).toBe('p-99');
  });
});

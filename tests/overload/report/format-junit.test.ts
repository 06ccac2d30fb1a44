import { describe, expect, it } from 'vitest';
import { escapeXml, formatJunit } from '../../../src/overload/report/format-junit.js';

describe('formatJunit', () => {
  const suite = { name: 'ecom overload', timeSec: 2.5, timestamp: '2026-01-01T00:00:00.000Z', properties: { target: 'http://127.0.0.1:8080/?a=1&b=2' } };

  it('one suite with counts, one test case per check, a failure element only where it did not hold', () => {
    const xml = formatJunit(suite, [
      { name: 'p99<50', classname: 'ecom.overload.thresholds', ok: true, message: 'p99<50 held: actual 3' },
      { name: 'errors<1%', classname: 'ecom.overload.thresholds', ok: false, message: 'errors<1% crossed: actual 4' },
    ]);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ecom overload" tests="2" failures="1" errors="0" time="2.500">')).toBe(
      true,
    );
    expect(xml).toContain('<testsuite name="ecom overload" tests="2" failures="1" errors="0" skipped="0" time="2.500" timestamp="2026-01-01T00:00:00.000Z">');
    expect(xml).toContain('<property name="target" value="http://127.0.0.1:8080/?a=1&amp;b=2"/>');
    expect(xml).toContain('<testcase name="p99&lt;50" classname="ecom.overload.thresholds" time="0">\n      <system-out>');
    expect(xml).toContain(
      '<testcase name="errors&lt;1%" classname="ecom.overload.thresholds" time="0">\n      <failure message="errors&lt;1% crossed: actual 4" type="ecom.overload.thresholds">errors&lt;1% crossed: actual 4</failure>',
    );
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml.endsWith('</testsuites>\n')).toBe(true);
  });

  it('an empty suite without checks', () => {
    expect(formatJunit(suite, [])).toContain('tests="0" failures="0"');
  });

  it('escapes markup and quotes, and drops characters XML 1.0 cannot carry', () => {
    expect(escapeXml(`a<b>&"c'\u0000\u001b\uD800d`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;d');
    expect(escapeXml('😀 é')).toBe('😀 é');
  });
});

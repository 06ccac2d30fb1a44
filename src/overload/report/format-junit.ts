/** One JUnit test case: a threshold or an invariant, with why it failed. */
export interface JunitCase {
  name: string;
  /** Groups cases in CI views, e.g. `ecom.overload.thresholds`. */
  classname: string;
  ok: boolean;
  /** One line: the verdict with the actual value. */
  message: string;
  /** More text for a failure (offending items...). */
  detail?: string;
}

// XML 1.0 allows neither most control characters nor lone surrogates, even escaped: they are dropped.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text safe inside an XML attribute or element. */
export function escapeXml(text: string): string {
  return text.replace(INVALID_XML, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * A JUnit XML document (the format CI systems display): one suite, one test case per check, a `failure` element in
 * each that did not hold. Properties describe the run.
 */
export function formatJunit(
  suite: { name: string; timeSec: number; timestamp: string; properties: Record<string, string | number> },
  cases: readonly JunitCase[],
): string {
  const failures = cases.filter((c) => !c.ok).length;
  const counts = `tests="${cases.length}" failures="${failures}" errors="0"`;
  const time = suite.timeSec.toFixed(3);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(suite.name)}" ${counts} time="${time}">`,
    `  <testsuite name="${escapeXml(suite.name)}" ${counts} skipped="0" time="${time}" timestamp="${escapeXml(suite.timestamp)}">`,
    '    <properties>',
    ...Object.entries(suite.properties).map(([k, v]) => `      <property name="${escapeXml(k)}" value="${escapeXml(String(v))}"/>`),
    '    </properties>',
  ];
  for (const c of cases) {
    const open = `    <testcase name="${escapeXml(c.name)}" classname="${escapeXml(c.classname)}" time="0"`;
    if (c.ok) {
      lines.push(`${open}>`, `      <system-out>${escapeXml(c.message)}</system-out>`, '    </testcase>');
    } else {
      lines.push(
        `${open}>`,
        `      <failure message="${escapeXml(c.message)}" type="${escapeXml(c.classname)}">${escapeXml(c.detail ?? c.message)}</failure>`,
        '    </testcase>',
      );
    }
  }
  lines.push('  </testsuite>', '</testsuites>');
  return `${lines.join('\n')}\n`;
}

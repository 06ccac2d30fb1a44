import { readAsset, readPackageAsset } from '../../common/locate-assets.js';
import { buildReportData } from './build-report-data.js';
import type { HtmlReportInput } from './report-input.js';

/** The page and its script and style (templates/report/), and the chart library inlined into every report. */
const TEMPLATE = 'templates/report/report.html';
const SCRIPT = 'templates/report/report.js';
const STYLE = 'templates/report/report.css';
const UPLOT_JS = 'uplot/dist/uPlot.iife.min.js';
const UPLOT_CSS = 'uplot/dist/uPlot.min.css';

/** JSON that can sit inside a `<script>` element: nothing in it can close the element or break the line. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const escapeHtml = (text: string): string => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * One self-contained HTML file: the data, uPlot and the page's script and style all inline, and a Content Security
 * Policy that forbids any request, so it opens anywhere without a network.
 */
export function renderHtmlReport(input: HtmlReportInput, options: { maxPoints?: number } = {}): string {
  const parts: Record<string, string> = {
    TITLE: escapeHtml(`${input.title} report`),
    UPLOT_CSS: readPackageAsset(UPLOT_CSS),
    REPORT_CSS: readAsset(STYLE),
    UPLOT_JS: readPackageAsset(UPLOT_JS),
    REPORT_JS: readAsset(SCRIPT),
    DATA: scriptSafeJson(buildReportData(input, options.maxPoints)),
  };
  // A function replacement: the inlined code may contain `$&` and the like, which a replacement string would expand.
  return readAsset(TEMPLATE).replace(/@@([A-Z_]+)@@/g, (whole, name: string) => parts[name] ?? whole);
}

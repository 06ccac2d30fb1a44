// The report page: draws the data ecom embedded (src/overload/report/build-report-data.ts) with uPlot, inlined above.
// No request of any kind: everything is in this file. window.ecomReport lists each chart drawn (the browser test reads it).
/* global uPlot */
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#4b5563', '#ea580c'];
  const LATENCY = { p50: '#16a34a', p90: '#2563eb', p99: '#d97706', max: '#dc2626' };
  const FAULT = '#c026d3';
  const charts = [];
  const pending = [];
  window.ecomReport = { charts: charts, ready: false, readyAtMs: null };
  // Time charts all span the whole run, from its first measured request.
  const TIME = { x: { time: false, range: (u, min, max) => [0, Math.max(data.timeline.endS, max || 0)] } };
  const ZERO_BASED = { y: { range: (u, min, max) => [0, max > 0 ? max * 1.08 : 1] } };

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') node.textContent = v;
      else if (k === 'style') node.style.cssText = v;
      else node.setAttribute(k, v);
    }
    for (const child of children || []) node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    return node;
  }
  const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });
  const num = (n) => (typeof n === 'number' ? NUMBER.format(n) : String(n));
  const ms = (v) => (v == null ? '–' : v >= 1000 ? `${num(Math.round(v) / 1000)} s` : `${num(v)} ms`);
  const pct = (part, whole) => (whole ? `${Math.round((part / whole) * 1000) / 10}%` : '0%');
  const clock = (s) => {
    if (s == null) return '';
    const m = Math.floor(s / 60);
    const rest = Math.round((s - m * 60) * 10) / 10;
    if (!m && s > 0 && rest < 0.1) return '< 0.1s';
    return m ? `${m}m${String(Math.round(rest)).padStart(2, '0')}s` : `${rest}s`;
  };

  function header() {
    document.getElementById('head').append(el('h1', { text: data.title }), el('p', { text: data.subtitle }));
    document.getElementById('foot').textContent = `generated ${data.generatedAt} by ecom · ${data.timeline.bucketSeconds > 1 ? `one point per ${data.timeline.bucketSeconds} s (latency: the worst second of each)` : 'one point per second'}`;
  }

  function summary() {
    const s = data.summary;
    const cacheTotal = Object.values(s.cache).reduce((a, b) => a + b, 0);
    const tiles = [
      ['requests', num(s.requests)],
      ['throughput', `${num(s.rps)} req/s`],
      ['errors', `${num(s.errors)} (${pct(s.errors, s.requests)})`, s.errors > 0],
      ['p50', ms(s.latencyMs.p50)],
      ['p90', ms(s.latencyMs.p90)],
      ['p99', ms(s.latencyMs.p99)],
      ['p99.9', ms(s.latencyMs.p999)],
      ['max', ms(s.latencyMs.max)],
      ['retries', num(s.retries)],
      ['duration', clock(s.durationMs / 1000)],
    ];
    if (cacheTotal) tiles.push(['cache hit ratio', pct(s.cache.HIT || 0, cacheTotal)]);
    if (data.markers.length) tiles.push(['faults', String(data.markers.length)]);
    document.getElementById('summary').append(...tiles.map(([label, value, bad]) => el('div', { class: bad ? 'tile bad' : 'tile' }, [el('b', { text: value }), el('span', { text: label })])));
  }

  function checks() {
    if (!data.checks.length) return;
    const failed = data.checks.filter((c) => !c.ok).length;
    document.getElementById('checks').append(
      el('h2', { text: `${data.checksTitle}: ${failed ? `${failed} of ${data.checks.length} failed` : `all ${data.checks.length} passed`}` }),
      el(
        'ul',
        { class: 'checks' },
        data.checks.map((c) => el('li', {}, [el('span', { class: c.ok ? 'ok' : 'bad', text: c.ok ? '✓ ' : '✗ ' }), el('b', { text: c.name }), ` ${c.detail}`])),
      ),
    );
  }

  function table(head, rows, textColumns) {
    return el('table', {}, [
      el('thead', {}, [el('tr', {}, head.map((h) => el('th', { text: h })))]),
      el(
        'tbody',
        {},
        rows.map((row) => el('tr', {}, row.map((cell, i) => (cell instanceof Node ? el('td', { class: textColumns.includes(i) ? 'text' : '' }, [cell]) : el('td', { class: textColumns.includes(i) ? 'text' : '', text: String(cell) }))))),
      ),
    ]);
  }

  function faults() {
    if (!data.markers.length) return;
    const last = data.markers.reduce((best, m, i) => (m.atS >= data.markers[best].atS ? i : best), 0);
    const rows = data.markers.map((m, i) => [
      el('span', { class: 'fault', text: String(i + 1) }),
      clock(m.atS),
      m.kind,
      m.target || '–',
      m.endS > m.atS ? clock(m.endS - m.atS) : 'instant',
      num(m.impact.errors),
      ms(m.impact.peakP99Ms),
      m.impact.recoveredAfterMs == null ? (i === last ? 'not by the end of the run' : 'not by the next fault') : m.impact.recoveredAfterMs === 0 ? 'no visible impact' : clock(m.impact.recoveredAfterMs / 1000),
    ]);
    document
      .getElementById('faults')
      .append(el('h2', { text: 'Faults (numbered bands on the time charts)' }), table(['#', 'at', 'fault', 'target', 'lasted', 'errors until next', 'peak p99', 'recovered after'], rows, [2, 3, 7]));
  }

  function endpoints() {
    if (!data.endpoints.length) return;
    const rows = data.endpoints.map((e) => [
      e.name,
      num(e.requests),
      num(e.rps),
      num(e.latencyMs.p50),
      num(e.latencyMs.p90),
      num(e.latencyMs.p99),
      num(e.latencyMs.p999),
      num(e.latencyMs.max),
      num(e.latencyMs.mean),
      el('span', { class: e.errors ? 'bad' : '', text: `${num(e.errors)} (${pct(e.errors, e.requests)})` }),
      Object.entries(e.errorsByKind)
        .map(([k, n]) => `${k}×${n}`)
        .join(' ') || '–',
    ]);
    document
      .getElementById('endpoints')
      .append(el('h2', { text: 'Endpoints (latency in ms)' }), table(['endpoint', 'requests', 'rps', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean', 'errors', 'errors by kind'], rows, [0, 10]));
  }

  function instances() {
    const entries = Object.entries(data.instanceTotals).sort(([a], [b]) => a.localeCompare(b));
    if (!entries.length) return;
    const total = entries.reduce((n, [, v]) => n + v, 0);
    const rows = entries.map(([name, n]) => [name, num(n), pct(n, total), el('span', { class: 'share', style: `width:${Math.round((n / total) * 300)}px` })]);
    document.getElementById('instances').append(el('h2', { text: 'Distribution over instances (X-Instance-Id)' }), table(['instance', 'answers', 'share', ''], rows, [0, 3]));
  }

  /** Fault bands and their numbers, on every time chart. */
  function markerPlugin() {
    return {
      hooks: {
        draw: [
          (u) => {
            if (!data.markers.length) return;
            const ctx = u.ctx;
            const dpr = window.devicePixelRatio || 1;
            ctx.save();
            ctx.beginPath();
            ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
            ctx.clip();
            data.markers.forEach((m, i) => {
              const x0 = u.valToPos(m.atS, 'x', true);
              const x1 = u.valToPos(Math.max(m.endS, m.atS), 'x', true);
              ctx.fillStyle = 'rgba(192, 38, 211, 0.12)';
              ctx.fillRect(x0, u.bbox.top, Math.max(3 * dpr, x1 - x0), u.bbox.height);
              ctx.fillStyle = FAULT;
              ctx.fillRect(x0, u.bbox.top, Math.max(1, dpr * 1.5), u.bbox.height);
              ctx.font = `bold ${11 * dpr}px sans-serif`;
              ctx.fillText(String(i + 1), x0 + 3 * dpr, u.bbox.top + 12 * dpr);
            });
            ctx.restore();
          },
        ],
      },
    };
  }

  /** One chart: a figure with a caption, drawn by uPlot, recorded in window.ecomReport.charts. */
  function chart(id, title, note, x, series, opts) {
    const plot = el('div', { class: 'plot' });
    const figure = el('figure', { class: 'chart', 'data-chart': id }, [el('figcaption', {}, [title, note ? el('small', { text: ` · ${note}` }) : '']), plot]);
    document.getElementById('charts').append(figure);
    const info = { id: id, title: title, series: series.map((s) => ({ label: s.label, color: s.color, points: s.values.filter((v) => v != null && Number.isFinite(v)).length })), drawn: false };
    charts.push(info);
    // Drawn once every figure is in place, so that each measures its own column, not the whole row.
    pending.push(() => draw(plot, info, x, series, opts));
  }

  function draw(plot, info, x, series, opts) {
    const width = Math.max(300, plot.clientWidth);
    const options = {
      width: width,
      height: 230,
      scales: Object.assign({ x: { time: false } }, opts.scales || {}),
      axes: [
        { values: opts.xValues || ((u, splits) => splits.map(clock)), splits: opts.xSplits, grid: { stroke: '#eef0f3' } },
        { label: opts.yLabel, size: 60, grid: { stroke: '#eef0f3' }, values: (u, splits) => splits.map((v) => num(v)) },
      ],
      series: [{ label: opts.xLabel || 'time', value: opts.xLegend || ((u, v) => clock(v)) }].concat(
        series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, fill: s.fill, paths: s.paths, points: { show: false }, spanGaps: false, value: (u, v) => (v == null ? '–' : num(v)) })),
      ),
      plugins: opts.markers ? [markerPlugin()] : [],
      hooks: {
        draw: [
          () => {
            info.drawn = true;
          },
        ],
      },
    };
    const u = new uPlot(options, [x].concat(series.map((s) => s.values)), plot);
    window.addEventListener('resize', () => u.setSize({ width: Math.max(300, plot.clientWidth), height: 230 }));
  }

  function timeCharts() {
    const t = data.timeline;
    if (!t.time.length) {
      document.getElementById('charts').append(el('p', { class: 'note', text: 'No whole second was measured: no time charts.' }));
      return;
    }
    const each = t.bucketSeconds > 1 ? `per ${t.bucketSeconds} s` : 'per second';
    chart(
      'throughput',
      'Throughput',
      `requests/s, ${each}`,
      t.time,
      [
        { label: 'req/s', color: PALETTE[0], values: t.rps, fill: 'rgba(37, 99, 235, 0.08)' },
        { label: 'errors/s', color: PALETTE[1], values: t.errorsPerSecond },
      ],
      { markers: true, yLabel: 'req/s', scales: Object.assign({}, TIME, ZERO_BASED) },
    );
    chart(
      'latency',
      'Latency percentiles',
      `ms, ${each}`,
      t.time,
      ['p50', 'p90', 'p99', 'max'].map((k) => ({ label: k, color: LATENCY[k], values: t.latencyMs[k] })),
      { markers: true, yLabel: 'ms', scales: Object.assign({}, TIME, ZERO_BASED) },
    );
    const kinds = Object.keys(t.errorsByKind);
    const bars = uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.8, 40] }) : undefined;
    chart(
      'errors',
      'Errors over time',
      kinds.length ? `errors/s by kind, ${each}` : 'none',
      t.time,
      kinds.length
        ? kinds.map((k, i) => ({ label: k, color: PALETTE[(i + 1) % PALETTE.length], values: t.errorsByKind[k], paths: bars, fill: `${PALETTE[(i + 1) % PALETTE.length]}55` }))
        : [{ label: 'errors/s', color: PALETTE[1], values: t.errorsPerSecond }],
      { markers: true, yLabel: 'errors/s', scales: Object.assign({}, TIME, ZERO_BASED) },
    );
    const names = Object.keys(t.instances);
    if (names.length) {
      chart(
        'instances',
        'Distribution over instances',
        `answers/s by X-Instance-Id, ${each}`,
        t.time,
        names.map((k, i) => ({ label: k, color: PALETTE[i % PALETTE.length], values: t.instances[k] })),
        { markers: true, yLabel: 'answers/s', scales: Object.assign({}, TIME, ZERO_BASED) },
      );
    }
    if (t.cacheHitPercent.some((v) => v != null)) {
      chart('cache', 'Gateway cache hit ratio', `% of answers with X-Cache-Status, ${each}`, t.time, [{ label: 'HIT %', color: PALETTE[5], values: t.cacheHitPercent }], {
        markers: true,
        yLabel: '%',
        scales: Object.assign({}, TIME, { y: { range: [0, 100] } }),
      });
    }
  }

  /** The HdrHistogram percentile spectrum: x is 1/(1-p) on a log scale, so 90, 99, 99.9... are evenly spaced. */
  function spectrumChart() {
    const sp = data.spectrum;
    if (!sp.percentile.length) return;
    const x = [];
    sp.percentile.forEach((p, i) => x.push(p < 100 ? 1 / (1 - p / 100) : Math.max(10, (x[i - 1] || 1) * 2)));
    const label = (v) => {
      if (!(v >= 1)) return '';
      const p = (1 - 1 / v) * 100;
      return v >= x[x.length - 1] && sp.percentile[sp.percentile.length - 1] === 100 ? 'max' : `${Math.round(p * 10000) / 10000}%`;
    };
    chart('spectrum', 'Latency by percentile', 'HdrHistogram percentile spectrum, ms', x, [{ label: 'latency ms', color: PALETTE[4], values: sp.latencyMs }], {
      xLabel: 'percentile',
      xLegend: (u, v) => (v == null ? '' : label(v)),
      xValues: (u, splits) => splits.map((v) => label(v)),
      xSplits: (u, axis, min, max) => [1, 2, 10, 100, 1000, 10000, 100000, 1000000].filter((v) => v >= min && v <= max),
      scales: { x: { time: false, distr: 3, log: 10, range: () => [1, x[x.length - 1]] }, y: ZERO_BASED.y },
      yLabel: 'ms',
    });
  }

  function serverCharts() {
    for (const [gi, g] of data.serverSeries.entries()) {
      chart(
        `server-${gi}`,
        g.title,
        `server side, ${g.unit}`,
        g.time,
        g.series.map((s, i) => ({ label: s.label, color: PALETTE[i % PALETTE.length], values: s.values })),
        { markers: true, yLabel: g.unit, scales: TIME },
      );
    }
  }

  header();
  summary();
  checks();
  faults();
  timeCharts();
  spectrumChart();
  serverCharts();
  endpoints();
  instances();
  for (const job of pending) job();
  window.ecomReport.readyAtMs = performance.now();
  window.ecomReport.ready = true;
})();

// Reads the files bench/lib/loop-stats-preload.mjs writes and prints what one phase of a bench cost each process:
// CPU ms per request, event-loop blocks > 5 ms of the process's own work per 1000 requests, GC pauses.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The newest cumulative stats of every service process in `dir`, by `<kind>-<id>`. */
export function readLoopStats(dir) {
  const out = {};
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    try {
      const s = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      out[s.name] = s;
    } catch {
      // Being rewritten: the next read gets it.
    }
  }
  return out;
}

const minus = (a = {}, b = {}) =>
  Object.fromEntries(
    Object.entries(a)
      .filter(([, v]) => typeof v === 'number' || (typeof v === 'object' && v !== null))
      .map(([k, v]) => [k, typeof v === 'number' ? (k.startsWith('max') ? v : v - (b?.[k] ?? 0)) : minus(v, b?.[k])]),
  );

/** What each process did between two readings; `requests` is the phase's request count at the load generator. */
export function loopStatsBetween(before, after, requests) {
  const rows = {};
  for (const [name, s] of Object.entries(after)) {
    const d = minus(s, before[name]);
    const per1k = 1000 / Math.max(1, requests);
    rows[name] = {
      requests: d.requests,
      cpuMsPerRequest: Number((d.cpuMs / Math.max(1, requests)).toFixed(3)),
      cpuBlocksPer1k: Number((d.cpuBlocks.count * per1k).toFixed(2)),
      cpuBlockMs: Math.round(d.cpuBlocks.cpuMs),
      cpuBlockMaxMs: Number(s.cpuBlocks.maxMs.toFixed(1)),
      cpuBlocksOver10: d.cpuBlocks.over10,
      cpuBlocksOver20: d.cpuBlocks.over20,
      stallsPer1k: Number((d.stalls.count * per1k).toFixed(2)),
      gcPauses: d.gc.count,
      gcMs: Math.round(d.gc.ms),
      gcOver5: d.gc.over5,
      gcMaxMs: Number(s.gc.maxMs.toFixed(1)),
      gcByKind: Object.fromEntries(Object.entries(d.gc.byKind ?? {}).map(([k, v]) => [k, `${v.count}×, ${Math.round(v.ms)} ms, ≥5 ms ${v.over5}`])),
    };
  }
  return rows;
}

/** One line per process. */
export function formatLoopStats(title, rows) {
  const lines = [`${title} (per process; CPU per request of the phase's requests at the load generator):`];
  for (const [name, r] of Object.entries(rows).sort()) {
    lines.push(
      `  ${name.padEnd(10)} cpu ${r.cpuMsPerRequest} ms/req  cpu-blocks>5ms ${r.cpuBlocksPer1k}/1k req (${r.cpuBlockMs} ms, ≥10 ms ${r.cpuBlocksOver10}, ≥20 ms ${r.cpuBlocksOver20}, max ${r.cpuBlockMaxMs})  stalls ${r.stallsPer1k}/1k  gc ${r.gcPauses} pauses ${r.gcMs} ms (≥5 ms ${r.gcOver5}, max ${r.gcMaxMs}) ${JSON.stringify(r.gcByKind)}`,
    );
  }
  return lines.join('\n');
}

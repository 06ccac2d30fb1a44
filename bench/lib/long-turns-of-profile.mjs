// What runs in the long busy stretches of a V8 .cpuprofile (runs of samples without an idle one, ≥ MIN ms): the
// time of each stretch attributed to the innermost ecom frame (dist/…) of each sample, else the innermost
// package or node frame. Shows which code makes the event-loop blocks that loop-stats-preload.mjs counts.
// Usage: node bench/lib/long-turns-of-profile.mjs FILE [minMs=5] [n=25]
import { readFileSync } from 'node:fs';

const [file, minMs = '5', n = '25'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
const label = (f) =>
  `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules\/[^/]+|dist)\//, '$1/').replace(/^node:/, 'node:')}:${f.lineNumber + 1}`;
const keyOf = new Map();
const attribute = (id) => {
  if (keyOf.has(id)) return keyOf.get(id);
  const self = byId.get(id).callFrame;
  if (self.functionName === '(garbage collector)' || self.functionName === '(program)') return self.functionName;
  let fallback;
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const f = byId.get(at).callFrame;
    if (f.url.includes('/dist/')) return keyOf.set(id, label(f)).get(id);
    fallback ??= f.url ? label(f) : undefined;
  }
  return keyOf.set(id, fallback ?? self.functionName).get(id);
};
const stretches = [];
let current = null;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  if (byId.get(id).callFrame.functionName === '(idle)') {
    if (current) stretches.push(current);
    current = null;
    continue;
  }
  current ??= { ms: 0, samples: [] };
  current.ms += dt;
  current.samples.push([id, dt]);
}
const long = stretches.filter((s) => s.ms >= Number(minMs));
const total = new Map();
let longMs = 0;
for (const s of long) {
  longMs += s.ms;
  for (const [id, dt] of s.samples) total.set(attribute(id), (total.get(attribute(id)) ?? 0) + dt);
}
const sizes = long.map((s) => s.ms).sort((a, b) => b - a);
console.log(
  `${file}: ${long.length} busy stretches ≥ ${minMs} ms, ${longMs.toFixed(0)} ms in all; longest ${sizes
    .slice(0, 8)
    .map((x) => x.toFixed(1))
    .join(', ')} ms`,
);
for (const [key, ms] of [...total].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
  console.log(`${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / longMs).toFixed(1).padStart(5)}%  ${key}`);
}

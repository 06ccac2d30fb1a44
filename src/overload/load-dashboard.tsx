import { Box, Text } from 'ink';
import React from 'react';
import { formatEndpointTable } from './format-endpoint-table.js';
import type { LoadReport } from './load-report.js';
import type { LoadSnapshot } from './load-snapshot.js';
import { SATURATED_WARNING, type GeneratorLoad } from './sample-generator-load.js';

const SPARKS = '▁▂▃▄▅▆▇█';

/** A sparkline of per-second throughput. */
export function sparkline(values: readonly number[], width = 40): string {
  const tail = values.slice(-width);
  const max = Math.max(1, ...tail);
  return tail.map((v) => SPARKS[Math.min(SPARKS.length - 1, Math.floor((v / max) * (SPARKS.length - 1)))]).join('');
}

function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

const fmtMs = (ms: number | null): string => (ms === null ? '?' : ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`);

/** The live overload dashboard: draws one snapshot (and, at the end, the threshold verdicts); computes nothing. */
export function LoadDashboard(props: {
  snapshot: LoadSnapshot | undefined;
  thresholds?: LoadReport['thresholds'];
  /** Lines about what happened besides the load (the faults of `ecom chaos`), newest last. */
  notes?: readonly string[];
  /** Set-up progress while there is no snapshot yet (e.g. `signed in 40/100 load users`). */
  preparing?: string;
}): React.JSX.Element {
  const s = props.snapshot;
  if (!s) return <Text dimColor>preparing: {props.preparing ?? 'discovering the catalogue, signing in load users, opening connections'}…</Text>;
  const progress = s.planned ? s.completed / s.planned : 0;
  const instances = Object.entries(s.instances).sort(([a], [b]) => a.localeCompare(b));
  const instanceTotal = instances.reduce((n, [, v]) => n + v, 0);
  const cacheTotal = Object.values(s.cache).reduce((a, b) => a + b, 0);
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>ecom overload</Text> · {s.scenario} · {s.model} model · {s.target}
      </Text>
      <Text>
        {bar(progress, 30)} {s.completed}/{s.planned} ({Math.round(progress * 100)}%) · elapsed {fmtMs(s.elapsedMs)} ·{' '}
        {s.final ? 'done' : `ETA ${fmtMs(s.etaMs)}`}
      </Text>
      <Text>
        rps <Text color="cyan">{s.final ? s.averageRps : s.currentRps}</Text> (avg {s.averageRps}) <Text color="cyan">{sparkline(s.rpsHistory)}</Text>
      </Text>
      <Text>
        latency ms · p50 <Text color="green">{s.latencyMs.p50}</Text> · p90 {s.latencyMs.p90} · p99 <Text color="yellow">{s.latencyMs.p99}</Text> · p99.9{' '}
        {s.latencyMs.p999} · max {s.latencyMs.max} · mean {s.latencyMs.mean}
      </Text>
      <GeneratorLine load={s.final ? s.generator : s.generatorNow} />
      <Text>
        status{' '}
        {Object.entries(s.byStatus).map(([code, n]) => (
          <Text key={code} color={Number(code) >= 400 ? 'red' : 'green'}>
            {code}×{n}{' '}
          </Text>
        ))}
        · errors <Text color={s.errors ? 'red' : 'green'}>{s.errors}</Text> · retries {s.retries} · in flight {s.inFlight}
      </Text>
      {Object.keys(s.errorsByKind).length > 0 && (
        <Text color="red">
          errors by kind{' '}
          {Object.entries(s.errorsByKind)
            .map(([k, n]) => `${k}×${n}`)
            .join('  ')}
        </Text>
      )}
      {instances.length > 0 && (
        <Box flexDirection="column">
          <Text dimColor>instances (X-Instance-Id)</Text>
          {instances.map(([id, n]) => (
            <Text key={id}>
              {'  '}
              {id.padEnd(12)} {bar(instanceTotal ? n / instanceTotal : 0, 20)} {Math.round((n / Math.max(1, instanceTotal)) * 100)}% ({n})
            </Text>
          ))}
        </Box>
      )}
      {cacheTotal > 0 && (
        <Text>
          gateway cache hit ratio {Math.round(((s.cache.HIT ?? 0) / cacheTotal) * 100)}% (
          {Object.entries(s.cache)
            .map(([k, n]) => `${k}×${n}`)
            .join(' ')}
          )
        </Text>
      )}
      {s.endpoints.length > 0 && (
        <Box flexDirection="column">
          {formatEndpointTable(s.endpoints).map((row, i) => (
            <Text key={i} dimColor={i === 0}>
              {row}
            </Text>
          ))}
        </Box>
      )}
      {props.thresholds?.map((t) => (
        <Text key={t.expr} color={t.ok ? 'green' : 'red'}>
          {t.ok ? '✓' : '✗'} threshold {t.expr} (actual {t.actual})
        </Text>
      ))}
      {props.notes && props.notes.length > 0 && (
        <Box flexDirection="column">
          {props.notes.slice(-8).map((line, i) => (
            <Text key={i} color="magenta">
              {line}
            </Text>
          ))}
        </Box>
      )}
    </Box>
  );
}

/** The generator's own CPU and event-loop lag; a warning when it, not the target, is the bottleneck. */
function GeneratorLine({ load }: { load: GeneratorLoad }): React.JSX.Element {
  return (
    <Text color={load.saturated ? 'red' : undefined} dimColor={!load.saturated}>
      generator · cpu {load.cpuPercent}% of a core · event-loop lag p99 {load.eventLoopLagMs.p99} ms
      {load.saturated ? ` · ${SATURATED_WARNING}` : ''}
    </Text>
  );
}

import { Box, Text } from 'ink';
import React, { useEffect, useState } from 'react';
import type { ClusterStatus } from '../../cluster/project-status.js';
import { processName, STATUS_HEADER, statusCells } from '../format-status.js';

const HEALTH_COLOR: Record<string, string> = {
  healthy: 'green',
  starting: 'yellow',
  unhealthy: 'red',
  stopped: 'gray',
  'crash-loop': 'redBright',
};

/** Live status of a foreground `ecom up`: draws the snapshots it is given, nothing else. */
export function ClusterStatusView(props: { read: () => ClusterStatus; progress: string[]; refreshMs?: number }): React.JSX.Element {
  const [status, setStatus] = useState(props.read());
  useEffect(() => {
    const timer = setInterval(() => setStatus(props.read()), props.refreshMs ?? 500);
    return () => clearInterval(timer);
  }, [props]);
  const cols = [16, 8, 7, 11, 9, 8];
  const cell = (text: string, i: number): string => text.padEnd(cols[i]!);
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>ecom</Text> cluster <Text color={status.phase === 'running' ? 'green' : 'yellow'}>{status.phase}</Text> — gateway{' '}
        <Text color="cyan">{status.gateway}</Text>
      </Text>
      <Text dimColor>{STATUS_HEADER.map(cell).join('')}</Text>
      {status.processes.map((p) => {
        const cells = statusCells(p);
        return (
          <Text key={processName(p)}>
            {cells.slice(0, 3).map(cell).join('')}
            <Text color={HEALTH_COLOR[p.health] ?? 'white'}>{cell(cells[3]!, 3)}</Text>
            {cell(cells[4]!, 4)}
            {cells[5]}
          </Text>
        );
      })}
      {status.processes
        .filter((p) => p.health === 'crash-loop' && p.lastLines?.length)
        .map((p) => (
          <Box key={`log-${processName(p)}`} flexDirection="column" marginTop={1}>
            <Text color="redBright">{processName(p)} is crash-looping; its log ends:</Text>
            {p.lastLines!.map((l, i) => (
              <Text key={i} dimColor>
                {'  '}
                {l}
              </Text>
            ))}
          </Box>
        ))}
      {status.proxySync?.lastError ? <Text color="red">gateway config not applied: {status.proxySync.lastError.message}</Text> : null}
      {props.progress.slice(-3).map((line, i) => (
        <Text key={`p-${i}`} dimColor>
          {line}
        </Text>
      ))}
      <Text dimColor>Ctrl-C stops the cluster · `ecom status`, `ecom scale`, `ecom logs` work from another terminal</Text>
    </Box>
  );
}

import { Box, Text } from 'ink';
import React, { useEffect, useState } from 'react';
import type { ClusterStatus } from '../../cluster/supervise-cluster.js';
import { formatUptime, processName } from '../format-status.js';

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
      <Text dimColor>{['PROCESS', 'PID', 'PORT', 'HEALTH', 'RESTARTS', 'UPTIME'].map(cell).join('')}</Text>
      {status.processes.map((p) => (
        <Text key={processName(p)}>
          {cell(processName(p), 0)}
          {cell(p.pid === null ? '-' : String(p.pid), 1)}
          {cell(p.port === null ? '-' : String(p.port), 2)}
          <Text color={HEALTH_COLOR[p.health] ?? 'white'}>{cell(p.health, 3)}</Text>
          {cell(String(p.restarts), 4)}
          {formatUptime(p.uptimeMs)}
        </Text>
      ))}
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

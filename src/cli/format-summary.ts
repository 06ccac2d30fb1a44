import { credentialsPath } from '../config/ensure-credentials.js';
import { stateLayout } from '../config/state-layout.js';
import type { ClusterStatus } from '../cluster/project-status.js';
import { formatStatusTable } from './format-status.js';

/** What `ecom up` prints once the cluster serves: where everything is and how to drive it. */
export function formatUpSummary(status: ClusterStatus, configFlag: string): string {
  const paths = stateLayout(status.stateDir);
  const c = configFlag === 'config.json' ? '' : ` -c ${configFlag}`;
  return [
    `ecom cluster is up — gateway ${status.gateway}`,
    `  admin login:   ${credentialsPath(status.stateDir)} (mode 0600)`,
    `  process logs:  ${paths.logs}/`,
    `  next:          ecom seed${c} · ecom overload${c} --request_count 1000 · ecom status${c} · ecom down${c}`,
    '',
    formatStatusTable(status),
  ].join('\n');
}

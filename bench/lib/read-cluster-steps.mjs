// Where the seconds of an `ecom up`, a kill and an `ecom down` went, read back from the cluster's own logs (the
// daemon's progress lines, the supervisor's, the registry's; with ECOM_DOCKER_TIMINGS=1 also each engine step), as
// milliseconds after a moment the benchmark took with Date.now(). A step that is not in the logs is left out.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every line of a log under `<stateDir>/logs/` that starts with an ISO time at or after `since`, as [ms, text]. */
function linesSince(stateDir, log, since) {
  const file = join(stateDir, 'logs', log);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => {
      const match = /^(\d{4}-\d\d-\d\dT[\d:.]+Z)\s+(.*)$/.exec(line);
      return match ? [Date.parse(match[1]) - since, match[2]] : undefined;
    })
    .filter((entry) => entry && entry[0] >= 0);
}

/** The offsets of the first line matching each pattern (or of the last, for a pattern listed in `last`). */
function stepsOf(lines, patterns, last = []) {
  const steps = {};
  for (const [step, pattern] of Object.entries(patterns)) {
    const hits = lines.filter(([, text]) => pattern.test(text));
    const hit = last.includes(step) ? hits.at(-1) : hits[0];
    if (hit) steps[step] = hit[0];
  }
  return steps;
}

/** `ecom up`: the daemon's first line, each start level, the cluster running. */
export function upSteps(stateDir, since) {
  return stepsOf(linesSince(stateDir, 'daemon.log', since), {
    daemon: /./,
    runtimeReady: /docker runtime: network created/,
    level1: /starting redis-server/,
    level2: /starting (logger|user|product|order) ×/,
    nginx: /starting nginx gateway/,
    running: /cluster running/,
  });
}

/** A kill of `instance`: its end seen, the replacement's container created and started (docker), registered. */
export function killSteps(stateDir, instance, since) {
  const daemon = stepsOf(linesSince(stateDir, 'daemon.log', since), {
    exitSeen: new RegExp(`docker ${instance}: exited`),
    created: new RegExp(`docker ${instance}: created`),
    started: new RegExp(`docker ${instance}: started`),
  });
  const [service, id] = instance.split('-');
  const registry = stepsOf(linesSince(stateDir, 'iscs.log', since), {
    registered: new RegExp(`"change":"register","service":"${service}","id":${id}\\b`),
  });
  return { ...daemon, ...registry };
}

/**
 * `ecom down`: nginx stopped, the last service instance stopped, the last core process stopped, (docker) the engine's
 * end of the last container and the network removed, the daemon done.
 */
export function downSteps(stateDir, since) {
  const supervisor = stepsOf(
    linesSince(stateDir, 'supervisor.log', since),
    {
      stopping: /stopping the cluster/,
      nginx: /nginx stopped/,
      services: /(logger|user|product|order)-\d+ stopped/,
      core: /(redis|iscs) stopped/,
    },
    ['services', 'core'],
  );
  const daemon = stepsOf(
    linesSince(stateDir, 'daemon.log', since),
    { ended: /docker \S+: exited/, networkRemoved: /network removed/, daemonDone: /cluster stopped/ },
    ['ended'],
  );
  return { ...supervisor, ...daemon };
}

/** `name +ms` for each step, in order. */
export function formatSteps(steps) {
  return Object.entries(steps)
    .sort((a, b) => a[1] - b[1])
    .map(([step, ms]) => `${step} +${Math.round(ms)}`)
    .join(', ');
}

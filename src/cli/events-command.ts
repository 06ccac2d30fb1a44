import type { Command } from 'commander';
import { clusterFrom, withClusterFile } from './cluster-options.js';
import { parseIntegerOption } from './parse-options.js';

/** `ecom events [--follow] [--json]`: the event stream, consumer group lag and outbox backlogs. */
export function registerEventsCommand(program: Command): void {
  withClusterFile(program.command('events'))
    .description("the domain event stream: recent events, each consumer group's lag, and each service's unpublished outbox")
    .option('-n, --limit <n>', 'recent events to show', (v) => parseIntegerOption(v, '--limit', 0, 1000), 20)
    .option('-f, --follow', 'keep printing new events as they are published')
    .option('--dead', 'list the dead letters: events a consumer group gave up after its handler kept failing')
    .option('--json', 'print JSON (with --follow: one event per line)')
    .action(async (opts: { config: string; limit: number; follow?: boolean; json?: boolean; dead?: boolean }) => {
      const { cluster } = clusterFrom(opts);
      const { connectForInspection, readDeadLetters, readEvents } = await import('../cluster/read-events.js');
      const redis = await connectForInspection(cluster);
      try {
        if (opts.dead) {
          const letters = await readDeadLetters(redis, opts.limit);
          if (opts.json) process.stdout.write(`${JSON.stringify({ deadLetters: letters })}\n`);
          else if (letters.length === 0) process.stdout.write('no dead letters\n');
          for (const l of opts.json ? [] : letters) {
            process.stdout.write(`${l.at} ${l.group.padEnd(8)} ${l.event.type.padEnd(16)} ${l.event.id.padEnd(14)} after ${l.attempts} attempts: ${l.error}\n`);
          }
          return;
        }
        const overview = await readEvents(cluster, redis, opts.limit);
        if (opts.json && !opts.follow) {
          process.stdout.write(`${JSON.stringify(overview)}\n`);
          return;
        }
        if (!opts.json) {
          process.stdout.write(`stream ${overview.stream.name}: ${overview.stream.length} events, last ${overview.stream.lastId ?? '-'}\n`);
          for (const g of overview.groups) {
            process.stdout.write(`  group ${g.name.padEnd(8)} lag ${g.lag ?? '?'}  pending ${g.pending}  consumers ${g.consumers}\n`);
          }
          const backlog = Object.entries(overview.outbox)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ');
          process.stdout.write(`  unpublished outbox: ${backlog || '-'}\n`);
          process.stdout.write(`  dead letters: ${overview.deadLetters}${overview.deadLetters ? ' (see `ecom events --dead`)' : ''}\n`);
          for (const e of overview.recent) process.stdout.write(`${e.ts} ${e.type.padEnd(16)} ${e.id.padEnd(14)} ${JSON.stringify(e.payload)}\n`);
        }
        if (!opts.follow) return;
        const { decodeEvent, EVENT_STREAM } = await import('../services/shared/domain-event.js');
        let last = overview.stream.lastId ?? '0-0';
        for (;;) {
          const res = (await redis.xread('COUNT', 100, 'BLOCK', 5000, 'STREAMS', EVENT_STREAM, last)) as Array<[string, Array<[string, string[]]>]> | null;
          for (const [streamId, fields] of res?.[0]?.[1] ?? []) {
            last = streamId;
            const e = decodeEvent(fields);
            if (!e) continue;
            process.stdout.write(
              opts.json ? `${JSON.stringify({ ...e, streamId })}\n` : `${e.ts} ${e.type.padEnd(16)} ${e.id.padEnd(14)} ${JSON.stringify(e.payload)}\n`,
            );
          }
        }
      } finally {
        redis.disconnect();
      }
    });
}

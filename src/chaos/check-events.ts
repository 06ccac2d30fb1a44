import type { EventsOverview } from '../cluster/read-events.js';
import type { Invariant } from './chaos-invariant.js';

/** Every event left its outbox and reached every consumer group (nothing pending or unread), and none died. */
export function checkEvents(overview: EventsOverview): Invariant {
  const problems: string[] = [];
  for (const [kind, n] of Object.entries(overview.outbox)) if (n > 0) problems.push(`${kind} outbox still holds ${n} unpublished events`);
  for (const g of overview.groups) {
    if (g.pending > 0) problems.push(`group ${g.name} has ${g.pending} events delivered but not acknowledged`);
    if (g.lag !== null && g.lag > 0) problems.push(`group ${g.name} has ${g.lag} events not yet read`);
  }
  if (overview.deadLetters > 0) problems.push(`${overview.deadLetters} dead letters (see \`ecom events --dead\`)`);
  return {
    name: 'events',
    ok: problems.length === 0,
    detail: problems.length === 0 ? `outboxes drained, ${overview.groups.length} groups caught up, no dead letters` : problems.join('; '),
    ...(problems.length ? { items: problems } : {}),
  };
}

/** Whether the events invariant can still come true by waiting (a backlog draining), as opposed to dead letters. */
export function eventsSettled(overview: EventsOverview): boolean {
  return Object.values(overview.outbox).every((n) => n === 0) && overview.groups.every((g) => g.pending === 0 && (g.lag ?? 0) === 0);
}

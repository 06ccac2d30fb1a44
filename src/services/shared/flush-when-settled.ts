/**
 * Runs `flush` once the microtask queue has run dry, still in the current turn of the event loop: after every
 * promise continuation the current callback set off (however many awaits deep), before the loop polls again or runs
 * the next immediate. For batches filled by continuations that one commit resolved together: all of them join, and
 * the batch does not wait a whole further turn behind what the loop polls meanwhile, as `setImmediate` makes it.
 * (A tick queued from a microtask runs after the queue drains; queued from plain code it would run before it.
 * Neither is faked by test timers.)
 */
export function flushWhenSettled(flush: () => void): void {
  queueMicrotask(() => process.nextTick(flush));
}

/** Anything that stops. */
export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Stops start-order groups last-first: every member of a group stops in parallel, and a group starts stopping
 * only when the one started after it is fully down (order before product before user before logger ...).
 */
export async function teardownInReverse(groups: ReadonlyArray<ReadonlyArray<Stoppable>>): Promise<void> {
  for (const group of [...groups].reverse()) {
    await Promise.all(group.map((member) => member.stop()));
  }
}

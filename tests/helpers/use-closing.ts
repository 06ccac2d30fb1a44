import { afterEach } from 'vitest';

/**
 * For a `describe`: returns `use(thing)`, which hands `thing` back and closes it after the current test, the last
 * one used first (a client before the server it talks to).
 */
export function useClosing(): <T extends { close(): unknown }>(thing: T) => T {
  const open: Array<{ close(): unknown }> = [];
  afterEach(async () => {
    for (const thing of open.splice(0).reverse()) await thing.close();
  });
  return (thing) => {
    open.push(thing);
    return thing;
  };
}

/** Blocks this thread for `ms`: only for start-up work that serves nothing meanwhile and must wait for another process. */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Keeps a foreground command alive until SIGINT or SIGTERM, then runs `stop` once and resolves, so the command
 * returns and the process ends once `stop` has closed everything. A second signal while stopping ends the process
 * at once: the handlers are removed and the signal is raised again, so its default action (exit 130 or 143) applies.
 * The signals are wired at once: call it before announcing readiness. Only the top level wires signals; everything
 * below returns closable handles.
 */
export function runUntilSignal(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const unwire = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        unwire();
        process.kill(process.pid, signal);
        return;
      }
      stopping = true;
      stop().then(() => {
        unwire();
        resolve();
      }, reject);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

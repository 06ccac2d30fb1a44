import { systemSignals, type ProcessSignals } from '../../src/runtime/stop-process-group.js';

/** Real signals that also note every group signal sent, for tests that assert on what was (not) signalled. */
export function recordSignals(): { signals: ProcessSignals; sent: Array<[number, string]> } {
  const sent: Array<[number, string]> = [];
  const signals: ProcessSignals = {
    killGroup: (pid, signal) => {
      sent.push([pid, signal]);
      systemSignals.killGroup(pid, signal);
    },
    isAlive: systemSignals.isAlive,
  };
  return { signals, sent };
}

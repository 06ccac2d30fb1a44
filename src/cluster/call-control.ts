import { connect } from 'node:net';
import { EcomError } from '../common/ecom-error.js';
import { isErrorCode } from '../common/error-codes.js';
import type { ControlReply, ControlRequest } from './control-protocol.js';

/**
 * Sends one request to the daemon's control socket; `onProgress` sees progress lines, `onSnapshot` interim status
 * snapshots; resolves with the result. `timeoutMs` is how long the connection may stay silent.
 */
export function callControl<T = unknown>(
  socketPath: string,
  request: ControlRequest,
  onProgress?: (line: string) => void,
  timeoutMs = 120_000,
  onSnapshot?: (value: unknown) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffer = '';
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      fn();
    };
    socket.setTimeout(timeoutMs, () => finish(() => reject(new EcomError('daemon_timeout', `the daemon did not answer "${request.cmd}" in time`))));
    socket.once('error', (cause) => finish(() => reject(new EcomError('daemon_unreachable', 'no ecom daemon answers for this state dir', { cause }))));
    socket.once('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const reply = JSON.parse(buffer.slice(0, newline)) as ControlReply;
        buffer = buffer.slice(newline + 1);
        if ('progress' in reply) onProgress?.(reply.progress);
        else if ('snapshot' in reply) onSnapshot?.(reply.snapshot);
        else if (reply.ok) finish(() => resolve(reply.result as T));
        else
          finish(() =>
            reject(
              new EcomError(isErrorCode(reply.error.code) ? reply.error.code : 'daemon_error', reply.error.message, {
                hint: reply.error.hint,
              }),
            ),
          );
      }
    });
    socket.once('close', () => finish(() => reject(new EcomError('daemon_hung_up', `the daemon closed the connection during "${request.cmd}"`))));
  });
}

/** True when a daemon answers on the socket. */
export async function isDaemonRunning(socketPath: string): Promise<boolean> {
  try {
    await callControl(socketPath, { cmd: 'status' }, undefined, 3000);
    return true;
  } catch {
    return false;
  }
}

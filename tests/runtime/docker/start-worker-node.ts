import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import Docker from 'dockerode';

const run = promisify(execFile);

/** A second Docker engine in its own network namespace, reachable from this machine over a veth pair. */
export interface WorkerNode {
  /** The manager's address on the veth (advertise the swarm here) and the worker's. */
  managerAddr: string;
  workerAddr: string;
  docker: Docker;
  /** Stops the engine by pid, removes the veth pair, the namespace and the engine's folder. */
  close(): Promise<void>;
}

/**
 * Starts a dockerd in a fresh network namespace (`ip netns` + veth, 198.18.254.0/24; its own socket, data-root,
 * exec-root and pid file; bridge and pools in 198.18 too). It is entered with nsenter, net namespace only: `ip netns
 * exec` would remount /sys and hide the cgroups dockerd needs. Throws when any step fails (the caller skips, saying why).
 */
export async function startWorkerNode(): Promise<WorkerNode> {
  const tag = String(process.pid % 10000);
  const ns = `ecomw${tag}`;
  const [hostIf, nodeIf] = [`ecw${tag}a`, `ecw${tag}b`];
  const dir = mkdtempSync('/tmp/ecom-w-');
  const ip = (...args: string[]): Promise<unknown> => run('ip', args);
  const inNs = (...args: string[]): Promise<unknown> => run('ip', ['netns', 'exec', ns, ...args]);
  let pid: number | undefined;
  const close = async (): Promise<void> => {
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM');
        for (let i = 0; i < 100; i++) {
          process.kill(pid, 0);
          await new Promise((r) => setTimeout(r, 100));
        }
      } catch {
        // gone
      }
    }
    await ip('link', 'del', hostIf).catch(() => undefined);
    await ip('netns', 'del', ns).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await ip('netns', 'add', ns);
    await ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nodeIf);
    await ip('link', 'set', nodeIf, 'netns', ns);
    await ip('addr', 'add', '198.18.254.1/24', 'dev', hostIf);
    await ip('link', 'set', hostIf, 'up');
    await inNs('ip', 'addr', 'add', '198.18.254.2/24', 'dev', nodeIf);
    await inNs('ip', 'link', 'set', nodeIf, 'up');
    await inNs('ip', 'link', 'set', 'lo', 'up');
    const socket = `${dir}/docker.sock`;
    const flags = ['--host', `unix://${socket}`, '--data-root', `${dir}/data`, '--exec-root', `${dir}/exec`, '--pidfile', `${dir}/docker.pid`];
    const pools = ['--bip', '198.18.253.1/24', '--default-address-pool', 'base=198.18.128.0/17,size=24', '--userland-proxy=false'];
    // nsenter without --fork execs dockerd in place: the child's pid is dockerd's.
    pid = spawn('nsenter', [`--net=/var/run/netns/${ns}`, 'dockerd', ...flags, ...pools], { stdio: 'ignore' }).pid;
    const docker = new Docker({ socketPath: socket });
    for (let i = 0; ; i++) {
      if (
        await docker.ping().then(
          () => true,
          () => false,
        )
      )
        break;
      if (i > 150) throw new Error('the worker dockerd did not answer within 15 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    return { managerAddr: '198.18.254.1', workerAddr: '198.18.254.2', docker, close };
  } catch (err) {
    await close();
    throw err;
  }
}

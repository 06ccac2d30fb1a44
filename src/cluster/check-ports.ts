import { createServer } from 'node:net';

/** True when nothing listens on host:port (we could bind it). */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Which process listens on a TCP port, as `name (pid N)`, when `ss` can see it; undefined otherwise. */
export async function describePortHolder(port: number): Promise<string | undefined> {
  // Loaded here, for a port found taken: execa's own start-up cost the daemon and `up` 20-45 ms before anything ran.
  const { execa } = await import('execa');
  const ss = await execa('ss', ['-ltnpH', `sport = :${port}`], { timeout: 3000, stdin: 'ignore', reject: false });
  if (ss.failed) return undefined;
  const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(ss.stdout);
  return match ? `${match[1]} (pid ${match[2]})` : undefined;
}

/** The one place an `http://host:port/path` URL is built (IPv6 literals get their brackets). */
export function httpUrl(host: string, port: number, path = ''): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${h}:${port}${path}`;
}

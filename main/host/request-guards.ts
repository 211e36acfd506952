/**
 * DNS rebinding: a page on evil.example can make its own name resolve to 127.0.0.1 and then talk
 * to us as "same origin" — but its requests still say `Host: evil.example`. So only our exact
 * loopback authorities are accepted, in Host and, when sent, in Origin.
 */
export function loopbackAuthorities(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function isAllowedHost(host: string | undefined, port: number): boolean {
  return host !== undefined && loopbackAuthorities(port).includes(host.toLowerCase());
}

/** A missing Origin is fine (same-origin GETs, curl); a present one must be ours. */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  return loopbackAuthorities(port).some((a) => origin.toLowerCase() === `http://${a}`);
}

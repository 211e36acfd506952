// IPv4 CIDR arithmetic for preflight. Pure: the Setup wizard imports it to validate as the admin types.

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses "10.20.0.0/16"; undefined when the text is not an IPv4 CIDR block. */
export function parseCidr(text: string): Cidr | undefined {
  const m = CIDR.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { base: address, prefix };
}

export function blockSize(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

/** True when the address has no bits set beyond the prefix ("10.0.0.0/16", not "10.0.1.0/16"). */
export function isNetworkAddress(cidr: Cidr): boolean {
  return cidr.base % blockSize(cidr) === 0;
}

export function formatCidr(cidr: Cidr): string {
  const o = [24, 16, 8, 0].map((shift) => Math.floor(cidr.base / 2 ** shift) % 256);
  return `${o.join('.')}/${cidr.prefix}`;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const aEnd = a.base + blockSize(a);
  const bEnd = b.base + blockSize(b);
  return a.base < bEnd && b.base < aEnd;
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return inner.base >= outer.base && inner.base + blockSize(inner) <= outer.base + blockSize(outer);
}

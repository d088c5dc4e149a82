// Address space for cluster networks. Left to itself, Docker gives every new network a whole /16
// of 172.17–172.31 or a /20 of 192.168 — about 30 networks per host, after which `docker network
// create` fails and, with kubelab's clusters holding all of them, so does everybody else's. A
// cluster needs a handful of addresses (nodes and a toolbox), so kubelab gives each network a /24
// from its own pool (KUBELAB_NETWORK_POOL, 256 networks in the default /16), skipping every
// subnet Docker already uses and every route of the host (its LAN, a VPN).

/** The default pool: RFC 1918 space outside Docker's own default pools and kind's pod and service ranges. */
export const DEFAULT_NETWORK_POOL = '172.16.0.0/16';
/** Size of each cluster network: 254 addresses, for a few nodes and a toolbox. */
export const CLUSTER_SUBNET_BITS = 24;

export interface Cidr {
  /** First address, as an unsigned 32-bit number. */
  base: number;
  bits: number;
}

/** Parses `a.b.c.d/n`; the base is masked to the prefix. Throws saying what is wrong. */
export function parseCidr(text: string): Cidr {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  const octets = match?.slice(1, 5).map(Number) ?? [];
  const bits = Number(match?.[5]);
  if (!match || octets.some((o) => o > 255) || bits > 32) throw new Error(`'${text}' is not an IPv4 range; write it as address/prefix, e.g. ${DEFAULT_NETWORK_POOL}`);
  const address = octets.reduce((n, o) => n * 256 + o, 0);
  return { base: address - (address % 2 ** (32 - bits)), bits };
}

export function formatCidr(cidr: Cidr): string {
  const o = [24, 16, 8, 0].map((shift) => Math.floor(cidr.base / 2 ** shift) % 256);
  return `${o.join('.')}/${cidr.bits}`;
}

const size = (c: Cidr) => 2 ** (32 - c.bits);

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** The first /`bits` block of `pool` that overlaps nothing in `used`, or undefined when the pool is full. */
export function freeSubnet(pool: Cidr, used: readonly Cidr[], bits = CLUSTER_SUBNET_BITS): Cidr | undefined {
  if (bits < pool.bits) return undefined;
  const step = 2 ** (32 - bits);
  for (let base = pool.base; base < pool.base + size(pool); base += step) {
    const candidate = { base, bits };
    const clash = used.find((u) => overlaps(candidate, u));
    // Skip past the whole clashing range at once (a /16 of someone else's is 256 steps).
    if (clash) base = Math.max(base, clash.base + size(clash) - step);
    else return candidate;
  }
  return undefined;
}

/** The first host address of a range (Docker's gateway for a network on it), e.g. 172.16.3.1. */
export function firstHost(cidr: Cidr): string {
  return formatCidr({ base: cidr.base + 1, bits: 32 }).replace(/\/32$/, '');
}

/** How many /`bits` networks a pool holds (for messages). */
export function capacity(pool: Cidr, bits = CLUSTER_SUBNET_BITS): number {
  return bits < pool.bits ? 0 : 2 ** (bits - pool.bits);
}

/**
 * IPv4 destinations the host routes to, from /proc/net/route (Linux; addresses little-endian hex).
 * The default route is left out: it covers everything.
 */
export function parseRouteTable(text: string): Cidr[] {
  const routes: Cidr[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [destination, mask] = [fields[1], fields[7]];
    if (!destination || !mask || !/^[0-9A-Fa-f]{8}$/.test(destination) || !/^[0-9A-Fa-f]{8}$/.test(mask)) continue;
    const toNumber = (hex: string) => Number.parseInt(hex.match(/../g)?.reverse().join('') ?? '0', 16);
    const maskBits = toNumber(mask).toString(2).replaceAll('0', '').length;
    if (maskBits === 0) continue;
    routes.push({ base: toNumber(destination), bits: maskBits });
  }
  return routes;
}

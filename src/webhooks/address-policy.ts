import { BlockList, isIP } from 'node:net';

// Which addresses a webhook may reach. Receivers must be public: a callback URL pointing at the server's own
// network would let any API user probe or call internal services (SSRF). The check runs at subscription time
// (a clear 400) and, the one that matters, at connect time on the address actually dialled, so DNS rebinding
// (a name that resolves to a public address when checked and a private one when used) gains nothing.

export interface AddressPolicy {
  /** http:// to loopback and loopback addresses are allowed (the embedded default, for local receivers). */
  allowLoopback: boolean;
  /** Exact host names, IP addresses or CIDRs that may be reached although private. */
  allowList: readonly string[];
}

const V4_BLOCKED: Array<[string, number, string]> = [
  ['0.0.0.0', 8, '"this network" (0.0.0.0/8)'],
  ['10.0.0.0', 8, 'private (10.0.0.0/8)'],
  ['100.64.0.0', 10, 'carrier-grade NAT (100.64.0.0/10)'],
  ['127.0.0.0', 8, 'loopback (127.0.0.0/8)'],
  ['169.254.0.0', 16, 'link-local / cloud metadata (169.254.0.0/16)'],
  ['172.16.0.0', 12, 'private (172.16.0.0/12)'],
  ['192.0.0.0', 24, 'IETF protocol assignments (192.0.0.0/24)'],
  ['192.0.2.0', 24, 'documentation (192.0.2.0/24)'],
  ['192.88.99.0', 24, '6to4 relay anycast (192.88.99.0/24)'],
  ['192.168.0.0', 16, 'private (192.168.0.0/16)'],
  ['198.18.0.0', 15, 'benchmarking (198.18.0.0/15)'],
  ['198.51.100.0', 24, 'documentation (198.51.100.0/24)'],
  ['203.0.113.0', 24, 'documentation (203.0.113.0/24)'],
  ['224.0.0.0', 4, 'multicast (224.0.0.0/4)'],
  ['240.0.0.0', 4, 'reserved (240.0.0.0/4, broadcast included)'],
];

const V6_BLOCKED: Array<[string, number, string]> = [
  ['::', 128, 'unspecified (::)'],
  ['::1', 128, 'loopback (::1)'],
  ['100::', 64, 'discard-only (100::/64)'],
  ['2001::', 23, 'IETF protocol assignments and Teredo (2001::/23)'],
  ['2001:db8::', 32, 'documentation (2001:db8::/32)'],
  ['3fff::', 20, 'documentation (3fff::/20)'],
  ['fc00::', 7, 'unique local (fc00::/7, AWS metadata fd00:ec2::254 included)'],
  ['fe80::', 10, 'link-local (fe80::/10)'],
  ['fec0::', 10, 'site-local (fec0::/10)'],
  ['ff00::', 8, 'multicast (ff00::/8)'],
];

const v4Block = new BlockList();
const v6Block = new BlockList();
for (const [net, prefix] of V4_BLOCKED) v4Block.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of V6_BLOCKED) v6Block.addSubnet(net, prefix, 'ipv6');

function v4Reason(ip: string): string | undefined {
  if (!v4Block.check(ip, 'ipv4')) return undefined;
  for (const [net, prefix, reason] of V4_BLOCKED) {
    const one = new BlockList();
    one.addSubnet(net, prefix, 'ipv4');
    if (one.check(ip, 'ipv4')) return reason;
  }
  return 'reserved';
}

function v6Reason(ip: string): string | undefined {
  if (!v6Block.check(ip, 'ipv6')) return undefined;
  for (const [net, prefix, reason] of V6_BLOCKED) {
    const one = new BlockList();
    one.addSubnet(net, prefix, 'ipv6');
    if (one.check(ip, 'ipv6')) return reason;
  }
  return 'reserved';
}

/** The 16 bytes of an IPv6 address (valid per net.isIP), embedded dotted quad included. */
export function ipv6Bytes(ip: string): number[] {
  let text = ip.split('%')[0]!.toLowerCase();
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    tail.push(...dotted[1]!.split('.').map(Number));
    text = text.slice(0, -dotted[1]!.length) + '0:0';
  }
  const [head, rest] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const words = (s: string) => (s === '' ? [] : s.split(':').map((w) => parseInt(w, 16)));
  const left = words(head);
  const right = rest === undefined ? [] : words(rest);
  const all = [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  const bytes = all.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

const v4Of = (b: number[], at: number): string => b.slice(at, at + 4).join('.');

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
function embeddedV4(ip: string): { v4: string; kind: string } | undefined {
  const b = ipv6Bytes(ip);
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return { v4: v4Of(b, 12), kind: 'IPv4-mapped' };
  if (zero(0, 12) && !zero(12, 16) && !(zero(12, 15) && b[15] === 1)) return { v4: v4Of(b, 12), kind: 'IPv4-compatible' };
  // NAT64 well-known prefix 64:ff9b::/96 and the local-use 64:ff9b:1::/48.
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) return { v4: v4Of(b, 12), kind: 'NAT64' };
  if (b[0] === 0x20 && b[1] === 0x02) return { v4: v4Of(b, 2), kind: '6to4' };
  return undefined;
}

const isLoopback = (ip: string): boolean => {
  const family = isIP(ip);
  if (family === 4) return ip.startsWith('127.');
  if (family === 6) {
    const inner = embeddedV4(ip);
    return ip === '::1' || ipv6Bytes(ip).every((x, i) => (i === 15 ? x === 1 : x === 0)) || (inner?.kind === 'IPv4-mapped' && inner.v4.startsWith('127.'));
  }
  return false;
};

function inAllowList(ip: string, policy: AddressPolicy): boolean {
  const family = isIP(ip);
  for (const entry of policy.allowList) {
    const [net, bits] = entry.split('/');
    const netFamily = isIP(net ?? '');
    if (netFamily === 0) continue;
    if (bits === undefined) {
      if (netFamily === family && (family === 4 ? net === ip : ipv6Bytes(net!).join() === ipv6Bytes(ip).join())) return true;
      continue;
    }
    const list = new BlockList();
    try {
      list.addSubnet(net!, Number(bits), netFamily === 4 ? 'ipv4' : 'ipv6');
    } catch {
      continue;
    }
    if (netFamily === family && list.check(ip, family === 4 ? 'ipv4' : 'ipv6')) return true;
  }
  return false;
}

/** Why `ip` may not be dialled, or undefined when it may. */
export function blockedAddressReason(ip: string, policy: AddressPolicy): string | undefined {
  const family = isIP(ip);
  if (family === 0) return 'not an IP address';
  if (inAllowList(ip, policy)) return undefined;
  if (policy.allowLoopback && isLoopback(ip)) return undefined;
  if (family === 4) return v4Reason(ip);
  const inner = embeddedV4(ip);
  if (inner) {
    const reason = v4Reason(inner.v4);
    if (reason) return `${inner.kind} ${reason}`;
    // Mapped and compatible forms are just another spelling of the IPv4 address.
    if (inner.kind === 'IPv4-mapped' || inner.kind === 'IPv4-compatible') return undefined;
  }
  return v6Reason(ip);
}

/** Host names that always mean this machine or its cloud, whatever DNS says. */
const BLOCKED_NAMES = [/^localhost$/, /\.localhost$/, /^metadata\.google\.internal$/, /\.internal$/, /\.local$/];
const LOOPBACK_NAMES = [/^localhost$/, /\.localhost$/];

/** A host name the operator listed: it may be reached whatever it resolves to (docs/webhooks.md). */
export const hostAllowed = (host: string, policy: AddressPolicy): boolean =>
  policy.allowList.some((e) => e.toLowerCase() === host.toLowerCase());

export function blockedHostReason(host: string, policy: AddressPolicy): string | undefined {
  const name = host.toLowerCase();
  if (hostAllowed(name, policy)) return undefined;
  if (name.endsWith('.')) return 'a host name ending with a dot is not accepted';
  if (policy.allowLoopback && LOOPBACK_NAMES.some((r) => r.test(name))) return undefined;
  if (BLOCKED_NAMES.some((r) => r.test(name))) return 'a local host name';
  return undefined;
}

/** The host as the URL parser leaves it: IPv6 without brackets. */
export const bareHost = (hostname: string): string =>
  hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;

/**
 * Checks a callback URL when a subscription is created or replaced. Returns a sentence for the 400 when it is
 * refused. WHATWG URL parsing already turns decimal, octal and hex IPv4 spellings (http://2130706433/,
 * http://0x7f.1/) into dotted quads, which are then checked like any address.
 */
export function callbackUrlProblem(raw: string, policy: AddressPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'callback_url must be an absolute URL';
  }
  if (url.username !== '' || url.password !== '') return 'callback_url must not contain credentials (user:password@)';
  const host = bareHost(url.hostname);
  if (host === '') return 'callback_url must name a host';
  const family = isIP(host);
  const loopbackTarget = family !== 0 ? isLoopback(host) : LOOPBACK_NAMES.some((r) => r.test(host.toLowerCase()));
  if (url.protocol === 'http:') {
    if (!(policy.allowLoopback && loopbackTarget) && !hostAllowed(host, policy)) {
      return policy.allowLoopback
        ? 'callback_url must use https (http is accepted only for loopback receivers)'
        : 'callback_url must use https';
    }
  } else if (url.protocol !== 'https:') {
    return 'callback_url must use https';
  }
  const reason = family !== 0 ? blockedAddressReason(host, policy) : blockedHostReason(host, policy);
  return reason ? `callback_url must be publicly reachable (${host}: ${reason})` : undefined;
}

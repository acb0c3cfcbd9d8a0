import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { bareHost, blockedAddressReason, blockedHostReason, hostAllowed, type AddressPolicy } from './address-policy.ts';

// The connect-time half of the SSRF defence: every address is checked as it is dialled, after DNS, so a name
// that resolved to a public address at subscription time and resolves to 10.0.0.1 now is refused now.

export class BlockedAddressError extends Error {
  readonly code = 'QCARDS_BLOCKED_ADDRESS';
}

type Resolver = (hostname: string, options: { all: true }, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

function safeLookup(policy: AddressPolicy, resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as LookupAddress[];
      // A host name on the allow-list may resolve to a private address: that is what listing it is for.
      for (const a of hostAllowed(hostname, policy) ? [] : list) {
        const reason = blockedAddressReason(a.address, policy);
        if (reason) return callback(new BlockedAddressError(`${hostname} resolves to ${a.address}: ${reason}`), '', 0);
      }
      if (list.length === 0) return callback(new Error(`${hostname} has no address`), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

export interface SafeAgentOptions {
  policy: AddressPolicy;
  /** Sockets per receiver origin: the bound on concurrent deliveries to one subscriber. */
  connectionsPerOrigin: number;
  connectTimeoutMs: number;
  /** DNS resolution (tests substitute one that answers like a rebinding attacker's server). */
  resolve?: Resolver;
}

/** An undici dispatcher that refuses blocked addresses when connecting. It follows no redirect. */
export function createSafeAgent(options: SafeAgentOptions): Agent {
  const base = buildConnector({ timeout: options.connectTimeoutMs, lookup: safeLookup(options.policy, options.resolve ?? (dnsLookup as unknown as Resolver)) });
  const connect: buildConnector.connector = (opts, callback) => {
    const host = bareHost(opts.hostname);
    // net.connect skips the lookup for IP literals, so they are checked here.
    const reason = isIP(host) !== 0 ? blockedAddressReason(host, options.policy) : blockedHostReason(host, options.policy);
    if (reason) {
      callback(new BlockedAddressError(`${host}: ${reason}`), null);
      return;
    }
    base(opts, callback);
  };
  return new Agent({
    connect,
    connections: options.connectionsPerOrigin,
    pipelining: 1,
    keepAliveTimeout: 30_000,
  });
}

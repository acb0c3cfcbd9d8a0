import type { Principal } from './credentials.ts';

// A per-process memo of successful authentications, kept Config.authCacheMs (QCARDS_AUTH_CACHE_MS, off by
// default; 1000 is the value measured). Every request otherwise runs the
// credential query before its own statement: on GET /v2/cards?per_page=100 (32 connections, 5,000 cards,
// a loaded 2-core machine) skipping it served 17–25 % more requests per second (bench/list-search/README.md).
//
// Safety:
// - Only successes are kept, so a credential issued a moment ago works at once and a wrong secret always
//   reaches the database (and its constant-time comparison).
// - Changes made by this process that can end or alter a principal (revoking a credential, deleting an
//   organization) call forgetAuthentications() after they commit, and are effective for the next request.
//   A lookup that started before such a change cannot store its stale answer afterwards (the generation check).
// - Changes made by another process (a second server, the CLI, SQL) are seen within the TTL: that is why it
//   is off by default (test/cards/list-access.test.ts changes a manager's team in SQL and expects the next
//   request to see it).
// - expires_at is still checked against the clock on every hit.
// Any new write that changes a credential, a membership's role or team, or removes either must call
// forgetAuthentications() too.

let ttlMs = 0;
const MAX_ENTRIES = 10_000;

interface Entry {
  principal: Principal;
  expiresAt: Date | null;
  /** performance.now() after which the entry is not used. */
  until: number;
  generation: number;
}

// Keyed by the engine's Kysely instance as well, so two apps on two databases in one process never share.
const caches = new WeakMap<object, Map<string, Entry>>();
let generation = 0;

/** Sets the TTL for this process (buildApp, from the configuration); 0 turns the cache off. */
export function configureAuthCache(ms: number): void {
  ttlMs = ms;
  generation++;
}

/** A token for rememberPrincipal, taken before the credential query. */
export const authGeneration = (): number => generation;

export function cachedPrincipal(db: object, key: string, now: Date): Principal | undefined {
  const cache = caches.get(db);
  const entry = cache?.get(key);
  if (!entry) return undefined;
  if (entry.generation !== generation || entry.until < performance.now() || (entry.expiresAt !== null && entry.expiresAt <= now)) {
    cache!.delete(key);
    return undefined;
  }
  return entry.principal;
}

export function rememberPrincipal(db: object, key: string, principal: Principal, expiresAt: Date | null, since: number): void {
  if (since !== generation || ttlMs === 0) return;
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  // Many distinct credentials within one second: start over rather than track ages.
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(key, { principal, expiresAt, until: performance.now() + ttlMs, generation });
}

/** Drops every remembered authentication of this process. */
export function forgetAuthentications(): void {
  generation++;
}

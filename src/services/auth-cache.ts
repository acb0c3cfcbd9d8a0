import type { Engine } from '../db/engine.ts';
import { listen } from '../db/listen.ts';
import type { Principal } from './credentials.ts';

// A per-process memo of successful authentications, kept Config.authCacheMs (QCARDS_AUTH_CACHE_MS, 5 s by
// default; 0 turns it off). Every request otherwise runs the credential query before its own statement: one
// round trip of the three a card write makes, of the two a card list makes (BENCHMARKS.md).
//
// Why it is safe to have on:
// - Only successes are kept, so a credential issued a moment ago works at once and a wrong secret always
//   reaches the database (and its constant-time comparison). expires_at is still checked on every hit.
// - Every change to credentials, memberships or organizations, whoever makes it (this process, another
//   server, the CLI, plain SQL), NOTIFYs `qcards_auth` from a trigger (009_auth_changes.sql), and every process
//   forgets everything it remembered when the notification arrives: a revocation made elsewhere is seen
//   within milliseconds, not after the TTL.
// - The cache is used only while this process is LISTENing: from the moment the listening connection is lost
//   until it is back, every request goes to the database, and nothing remembered before the loss is used again.
// - Changes this process makes itself (revoking a credential, deleting an organization) also call
//   forgetAuthentications() after their commit, so they apply to the very next request, before the
//   notification comes back.
// - A lookup that started before any of these cannot store its stale answer afterwards (the generation check).
// The TTL only bounds what a silently dead listening connection (no error, no notifications) could miss, and
// what a pooler in transaction mode (PgBouncer), through which LISTEN receives nothing, would: the README
// says to set it to 0 there.

let ttlMs = 0;
const MAX_ENTRIES = 10_000;

/** Notification channel of 009_auth_changes.sql. */
const AUTH_CHANNEL = 'qcards_auth';

interface Entry {
  principal: Principal;
  expiresAt: Date | null;
  /** performance.now() after which the entry is not used. */
  until: number;
  generation: number;
}

// Keyed by the engine's Kysely instance, so two apps on two databases in one process never share.
const caches = new WeakMap<object, Map<string, Entry>>();
/** The databases whose changes this process is currently LISTENing to: the only ones cached. */
const watched = new WeakSet<object>();
let generation = 0;

/** Sets the TTL for this process (buildApp, from the configuration); 0 turns the cache off. */
export function configureAuthCache(ms: number): void {
  ttlMs = ms;
  generation++;
}

/**
 * Starts following changes to credentials, memberships and organizations of `engine`'s database, which is what
 * lets its authentications be cached at all. Returns the function that stops it (and the caching with it).
 */
export async function watchAuthChanges(engine: Engine, log: { warn(obj: object, msg: string): void }): Promise<() => Promise<void>> {
  if (ttlMs === 0) return async () => {};
  const db = engine.db;
  return listen(engine, AUTH_CHANNEL, {
    notify: forgetAuthentications,
    up: () => {
      forgetAuthentications();
      watched.add(db);
    },
    down: () => {
      watched.delete(db);
      forgetAuthentications();
    },
  }, { retryMs: 2000, log });
}

/** A token for rememberPrincipal, taken before the credential query. */
export const authGeneration = (): number => generation;

export function cachedPrincipal(db: object, key: string, now: Date): Principal | undefined {
  if (!watched.has(db)) return undefined;
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
  if (since !== generation || ttlMs === 0 || !watched.has(db)) return;
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  // Many distinct credentials within one TTL: start over rather than track ages.
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(key, { principal, expiresAt, until: performance.now() + ttlMs, generation });
}

// Lookups on their way, per database and key: when a remembered authentication lapses (every TTL), every request
// in flight with that credential missed at once, and the burst of identical queries (16 at a time in
// bench:writes) also made the pool open connections it had let go idle: writes stalled for 100-250 ms every
// few seconds (BENCHMARKS.md, seventh session).
const lookups = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * Runs `lookup` for `key`, or, while the cache is in use, joins the same lookup already on its way: concurrent
 * requests with one credential then make one query, and all get its answer; a request that comes after
 * forgetAuthentications() runs a new one. With the cache off (or the listening connection down), every request
 * runs its own, as the README says.
 */
export function sharedLookup<T>(db: object, key: string, lookup: () => Promise<T>): Promise<T> {
  if (ttlMs === 0 || !watched.has(db)) return lookup();
  let pending = lookups.get(db);
  if (!pending) lookups.set(db, (pending = new Map()));
  // A lookup that started before a change was forgotten (a revocation) is not joined afterwards.
  const current = `${generation} ${key}`;
  const running = pending.get(current);
  if (running) return running as Promise<T>;
  const started = lookup().finally(() => pending.delete(current));
  pending.set(current, started);
  return started;
}

/** Drops every remembered authentication of this process. */
export function forgetAuthentications(): void {
  generation++;
}

import { createHash } from 'node:crypto';
import { MIN_ANCHOR_POSITION, type CardPageRequest, type PageAnchor } from '../db/queries/card-list.ts';

// Page anchors: where the first and last cards of recently served deep pages stood, per list (organization,
// filters, sort), so that the next request for that page, or for the page after it, starts its walk of the
// sort index there instead of at the beginning. Page 500 walks 49,900 index entries from the start (10–25 ms on
// the benchmark machine) and ~100 from an anchor; a client walking every page of a 100,000-card list reads
// each index entry about once instead of ~500 times on average.
//
// Nothing here has to be invalidated: each anchor carries the organization's order epoch it was read at, and the
// list statement uses it only if the epoch is still the same in its own snapshot (src/db/queries/card-list.ts,
// 011_card_order_epoch.sql). A stale anchor costs one walk from the start, which brings fresh anchors back.
// Per process and in memory: several API processes each learn their own. Any change that can move a card in an
// organization's lists (README, "GET /v2/cards") retires the anchors of all of them, except a payment, which moves
// cards only in the last_activity_at sorts and retires only theirs. In an organization whose cards change all
// the time, most deep pages are walked from the start, as without anchors.

// At most 1,000 lists of 32 anchors (~250 bytes each): ~8 MB in the worst case. A walk needs only the last one;
// the others serve clients that go back and forth. The least recently used list goes first.
const MAX_LISTS = 1_000;
const MAX_ANCHORS_PER_LIST = 32;

interface List {
  epoch: string;
  /** By position. */
  anchors: Map<number, PageAnchor>;
}

// Keyed by the engine's Kysely instance, so two apps on two databases in one process never share anchors.
const caches = new WeakMap<object, Map<string, List>>();

/**
 * The list a request pages through: everything but the page itself (positions do not depend on per_page). A
 * digest, so a long bank_account_ids[] costs no more memory than a short one.
 */
export function listKey(req: Omit<CardPageRequest, 'limit' | 'offset'>): string {
  const sorted = (values: readonly string[] | undefined) => (values ? [...values].sort().join(',') : '*');
  const { filters: f, sort } = req;
  const list = [req.organizationId, `${sort.key}:${sort.order}`, sorted(f.statuses), sorted(f.cardLevels), sorted(f.bankAccountIds)].join('|');
  return createHash('sha256').update(list).digest('base64url');
}

/** The remembered anchor closest before (or at) `offset` in the list, if any. */
export function nearestAnchor(db: object, key: string, offset: number): PageAnchor | undefined {
  const lists = caches.get(db);
  const list = lists?.get(key);
  if (!lists || !list) return undefined;
  // Touching a list moves it to the end of the map, away from eviction.
  lists.delete(key);
  lists.set(key, list);
  let best: PageAnchor | undefined;
  for (const anchor of list.anchors.values()) {
    if (anchor.position <= offset && (best === undefined || anchor.position > best.position)) best = anchor;
  }
  return best;
}

/**
 * Remembers where a page's cards stood, if far enough from the start to be used. Anchors of a newer epoch replace
 * the list's; anchors of an older one (a slower request that read before a change) are dropped.
 */
export function rememberAnchors(db: object, key: string, anchors: PageAnchor[]): void {
  const useful = anchors.filter((a) => a.position >= MIN_ANCHOR_POSITION);
  if (useful.length === 0) return;
  let lists = caches.get(db);
  if (!lists) caches.set(db, (lists = new Map()));
  let list = lists.get(key);
  const epoch = useful[0]!.epoch;
  if (list && list.epoch !== epoch && BigInt(epoch) < BigInt(list.epoch)) return;
  if (!list || list.epoch !== epoch) list = { epoch, anchors: new Map() };
  lists.delete(key);
  lists.set(key, list);
  if (lists.size > MAX_LISTS) lists.delete(lists.keys().next().value!);
  for (const anchor of useful) {
    list.anchors.delete(anchor.position);
    list.anchors.set(anchor.position, anchor);
    if (list.anchors.size > MAX_ANCHORS_PER_LIST) list.anchors.delete(list.anchors.keys().next().value!);
  }
}

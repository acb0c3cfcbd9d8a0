import { sql } from 'kysely';
import type { Db } from '../db/engine.ts';
import { loggableError } from '../db/loggable-error.ts';
import { foldCardCountDeltas } from '../db/queries/card-counts.ts';
import { findCard, saveCard } from '../db/queries/cards.ts';
import { inTransaction } from '../db/transaction.ts';
import { applyChange } from '../domain/card-changes.ts';
import { TERMINAL_STATUSES } from '../domain/card-lifecycle.ts';
import type { Clock } from '../domain/clock.ts';
import { parisDate } from '../domain/paris-time.ts';
import { recordCardEvent } from '../services/card-events.ts';
import { purgeExpiredKeys } from '../services/idempotency.ts';
import { rollOverStaleCounters } from '../services/sandbox.ts';
import { wakeWorkers } from '../webhooks/wake.ts';

// The lifecycle's clockwork: cards past exp_month/exp_year become `expired`, flash cards past pre_expires_at
// `pre_expired` (each with an `expired` event, in the same transaction), spending counters roll over at
// midnight in Paris, and spent idempotency answers and SCA sessions are dropped. It reads deps.clock, so the
// sandbox clock moves it. Ticks every 250 ms, so a change lands within a second of its moment; batches are
// claimed with FOR UPDATE SKIP LOCKED, so any number of server processes can run it side by side.

const BATCH = 100;
export const TICK_MS = 250;

/** Expires one batch of due cards; returns how many. */
async function expireBatch(db: Db, clock: Clock, kind: 'expire' | 'pre_expire'): Promise<number> {
  const now = clock.now();
  const paris = parisDate(now);
  let queued = 0;
  const changed = await inTransaction(db, async (trx) => {
    queued = 0;
    let query = trx.selectFrom('cards').select(['id', 'organization_id'])
      .where('status', 'not in', [...TERMINAL_STATUSES]);
    query = kind === 'expire'
      ? query.where(sql<number>`(exp_year::int * 12 + exp_month::int)`, '<', paris.year * 12 + paris.monthNumber)
      : query.where('card_level', '=', 'flash').where('pre_expires_at', '<=', now);
    const due = await query.limit(BATCH).forUpdate().skipLocked().execute();
    for (const { id, organization_id } of due) {
      const found = await findCard(trx, organization_id, id, { forUpdate: true });
      if (!found) continue;
      const { card, event } = applyChange(found.card, { kind }, now);
      await saveCard(trx, card, found.holder);
      if (event) queued += (await recordCardEvent(trx, { card, event, actorMembershipId: null, at: now })).queued;
    }
    return due.length;
  });
  if (queued > 0) wakeWorkers(db);
  return changed;
}

/** Databases where this process may not merge the trigram index's pending list (not the index's owner). */
const notOwner = new WeakSet<Db>();

/**
 * Merges the trigram index's pending list into the index. Every card change that cannot be written in place
 * adds its search text's trigrams to that list, and whichever write finds it past `gin_pending_list_limit`
 * (4 MB) merges it all before it commits: 65-130 ms for that write and those sharing its statement. Merged
 * here every tick, the list stays small and no request waits for it (writes that find a merge under way skip
 * it). Only the index's owner may; another role leaves it to the writes, as before.
 */
async function mergeSearchIndexPendingList(db: Db): Promise<void> {
  if (notOwner.has(db)) return;
  try {
    await sql`SELECT gin_clean_pending_list('cards_search'::regclass)`.execute(db);
  } catch (error) {
    if ((error as { code?: string }).code !== '42501') throw error;
    notOwner.add(db);
  }
}

/** One pass over everything that is due; returns the number of cards changed. */
export async function runLifecycleSweep(db: Db, clock: Clock): Promise<number> {
  let changed = 0;
  for (const kind of ['pre_expire', 'expire'] as const) {
    for (;;) {
      const n = await expireBatch(db, clock, kind);
      changed += n;
      if (n < BATCH) break;
    }
  }
  for (;;) {
    const n = await rollOverStaleCounters(db, clock);
    changed += n;
    if (n < 200) break;
  }
  while ((await foldCardCountDeltas(db)) > 0) {
    // fold until no deltas are left
  }
  const now = clock.now();
  await purgeExpiredKeys(db, now);
  await db.deleteFrom('sca_sessions').where('expires_at', '<', new Date(now.getTime() - 86_400_000)).execute();
  await db.deleteFrom('card_view_tokens').where('expires_at', '<', now).execute();
  // Last: it waits while another process merges, and whatever it meets, the jobs above are done.
  await mergeSearchIndexPendingList(db);
  return changed;
}

export interface Scheduler {
  stop(): Promise<void>;
}

export function startLifecycleScheduler(
  db: Db, clock: Clock, options: { intervalMs?: number; onError?: (error: unknown) => void } = {},
): Scheduler {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = runLifecycleSweep(db, clock)
      .then(() => undefined, (error) => options.onError?.(error))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs ?? TICK_MS);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

/** `qcards serve`'s one line: runs the scheduler for the life of the app. */
export function startLifecycleJobs(app: { addHook(name: 'onClose', hook: () => Promise<void>): unknown; log: { error(o: object, m: string): void } }, db: Db, clock: Clock): void {
  const scheduler = startLifecycleScheduler(db, clock, { onError: (err) => app.log.error({ err: loggableError(err) }, 'lifecycle scheduler failed') });
  app.addHook('onClose', () => scheduler.stop());
}

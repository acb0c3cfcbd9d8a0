import { sql } from 'kysely';
import type { Db } from '../db/engine.ts';

/** The channel webhook workers LISTEN on (src/webhooks/worker.ts). */
export const NOTIFY_CHANNEL = 'qcards_webhooks';

// Why not a trigger in the writing transaction: a transaction that NOTIFYs holds PostgreSQL's notification
// queue lock from its pre-commit until its commit is flushed to disk, so every commit that queued deliveries
// waited for the previous one's WAL flush (~370 events/s at most on the benchmark machine, BENCHMARKS.md).
// A NOTIFY on its own writes no WAL and waits for no flush.

/** Per database handle: a NOTIFY is on its way; `again` asks for one more after it; `done` settles after the last. */
const sending = new WeakMap<Db, { again: boolean; done: Promise<void> }>();

/**
 * Wakes the webhook workers of every process on this database after deliveries were queued. Call it once the
 * queuing change has committed (a worker woken earlier would not see the rows yet). It never throws and is not
 * awaited: the change is already durable, and a lost wake-up only delays delivery until the workers' next poll.
 * Under load the wake-ups coalesce: while one NOTIFY is on its way, further calls cause exactly one more, sent
 * after it, so every commit is followed by a NOTIFY that started after it.
 */
export function wakeWorkers(db: Db): void {
  const current = sending.get(db);
  if (current) {
    current.again = true;
    return;
  }
  const state = { again: false, done: Promise.resolve() };
  sending.set(db, state);
  state.done = (async () => {
    try {
      do {
        state.again = false;
        await sql`SELECT pg_notify(${NOTIFY_CHANNEL}, '')`.execute(db);
      } while (state.again);
    } catch {
      // Closed pool or lost connection: the workers' poll picks the rows up.
    } finally {
      sending.delete(db);
    }
  })();
}

/**
 * Settles once the wake-ups already asked for have been sent: to be awaited before closing the pool, which
 * would otherwise drop the NOTIFY of the last commits, and leave their deliveries to the workers' next poll.
 */
export async function wakeupsSent(db: Db): Promise<void> {
  // A wake-up asked for while waiting starts a send of its own: wait for that one too.
  for (let state = sending.get(db); state; state = sending.get(db)) await state.done;
}

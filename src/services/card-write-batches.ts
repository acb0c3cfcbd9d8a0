import type { Db } from '../db/engine.ts';
import { saveCardsIfUnchanged, type CardWrite } from '../db/queries/cards.ts';
import { localWorkerOf } from '../webhooks/handoff.ts';
import { wakeWorkers } from '../webhooks/wake.ts';
import { cardEventsCtes, handedDeliveries, type IdentifiedEvent } from './card-events.ts';

// Card changes from concurrent requests share statements: while MAX_IN_FLIGHT statements are on their way, the
// changes that arrive wait and go together in the next one (src/db/queries/cards.ts `saveCardsIfUnchanged`:
// one round trip, one commit and one WAL flush for the lot). On two cores a write is bound by the CPU each
// statement costs PostgreSQL and the server (BENCHMARKS.md, "Card writes"); a lone change still goes at once.
//
// What a request sees does not change: its card is written with its event only if the row is still at the
// version it was decided on, and it learns which. Nothing is half-applied: a statement is atomic, and one that
// the database refused is retried change by change, so a change that cannot be written fails alone, with
// nothing written. A card is in at most one statement at a time, and a statement skips rows that another
// transaction holds (`saveCardsIfUnchanged`), so no statement waits on another's rows.

/**
 * Statements on their way at once. One: changes that arrive while it is on its way go together in the next, so
 * a steady trickle of requests costs fewer statements, and each statement costs PostgreSQL CPU whatever it
 * carries. Measured on 2 cores (BENCHMARKS.md, eighth session): with 1 instead of 4, bench:writes did ~16% fewer
 * writes/s (1,831–2,584 against 2,390–2,794) with ~3 ms more p99 (16–19 ms against 14–15), and in bench:webhooks,
 * whose producer is this code, the latency runs at 1,000 events/s kept up more often (p99 31.9–117.2 ms against
 * 108.0–193.8 in four alternating pairs). The price: a statement that hangs holds up every card write of the process.
 */
const MAX_IN_FLIGHT = 1;
/** Changes in one statement, at most. */
const MAX_BATCH = 64;

/** What the statements did so far, for tests and diagnostics. */
export interface BatchStatistics {
  /** Statements sent that wrote (or tried to write) more than one change. */
  shared: number;
  /** Shared statements that failed, so that each of their changes was tried again on its own. */
  split: number;
}

interface Pending {
  write: CardWrite;
  event: IdentifiedEvent | null;
  resolve: (version: number | null) => void;
  reject: (error: unknown) => void;
}

class WriteBatches {
  private queue: Pending[] = [];
  private inFlight = 0;
  /** Cards in a statement on its way. */
  private readonly writing = new Set<string>();
  private scheduled = false;
  readonly statistics: BatchStatistics = { shared: 0, split: 0 };

  constructor(private readonly db: Db) {}

  save(write: CardWrite, event: IdentifiedEvent | null): Promise<number | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, event, resolve, reject });
      // After the current turn of the event loop, so the requests read in the same turn go together.
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.send();
        });
      }
    });
  }

  private send(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch: Pending[] = [];
      const waiting: Pending[] = [];
      for (const pending of this.queue) {
        const id = pending.write.card.id;
        if (batch.length < MAX_BATCH && !this.writing.has(id)) {
          this.writing.add(id);
          batch.push(pending);
        } else {
          waiting.push(pending);
        }
      }
      this.queue = waiting;
      if (batch.length === 0) return;
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        for (const pending of batch) this.writing.delete(pending.write.card.id);
        this.send();
      });
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    const events = batch.flatMap((p) => (p.event ? [p.event] : []));
    if (batch.length > 1) this.statistics.shared++;
    // The deliveries go straight to this process's worker, if it runs and has room (src/webhooks/handoff.ts).
    const local = events.length > 0 ? localWorkerOf(this.db) : undefined;
    const terms = local?.handoffTerms();
    try {
      const { versions, tally, returnedRows } = await saveCardsIfUnchanged(
        this.db, batch.map((p) => p.write), events.length > 0 ? cardEventsCtes(events, 'changed', terms) : null,
      );
      if (local && terms) local.accept(handedDeliveries(returnedRows), terms, tally);
      // With terms, the rows queued due belong to subscriptions whose lane in the local worker is full or whose
      // receiver times out: it claims them once their lane has room, other workers at their poll. A wake-up would
      // normally only make every worker claim in vain (with a dead receiver, a claim and a due-time lookup per
      // write statement).
      if (tally > 0 && !terms) wakeWorkers(this.db);
      batch.forEach((p, i) => p.resolve(versions[i]!));
    } catch (error) {
      if (batch.length === 1 || !rolledBack(error)) {
        // Committed or not, nobody knows: what it may have handed over must not wait out the lease.
        if (local && terms && !rolledBack(error)) local.abandon(events.map((e) => e.id), terms);
        for (const p of batch) p.reject(error);
        return;
      }
      // Nothing of the statement was written: each change again on its own, so only the one at fault fails.
      this.statistics.split++;
      for (const p of batch) await this.write([p]);
    }
  }
}

/**
 * Whether the database answered that the statement failed, so it certainly wrote nothing. A lost connection
 * (no SQLSTATE, class 08) or a server shutting down (57P01–57P05) leaves the outcome unknown: the statement may
 * have committed, and trying its changes again could apply them twice.
 */
function rolledBack(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('08') && !code.startsWith('57P');
}

const batchesByDb = new WeakMap<Db, WriteBatches>();

/**
 * Writes a card, only if its row is still at `write.version`, with its event (and the event's deliveries), in
 * a statement it may share with other requests' changes. Resolves to the row's new version, or null, with
 * nothing written, when the card changed since it was read or another transaction holds its row. Once it has
 * committed, hands the deliveries to this process's worker, or wakes the webhook workers.
 */
export function saveCardInBatch(db: Db, write: CardWrite, event: IdentifiedEvent | null): Promise<number | null> {
  return batchesOf(db).save(write, event);
}

export const batchStatistics = (db: Db): Readonly<BatchStatistics> => ({ ...batchesOf(db).statistics });

function batchesOf(db: Db): WriteBatches {
  let batches = batchesByDb.get(db);
  if (!batches) batchesByDb.set(db, (batches = new WriteBatches(db)));
  return batches;
}

import type { Db } from '../db/engine.ts';
import type { QueuedDelivery } from './delivery-store.ts';

// Deliveries handed from a write straight to the webhook worker of the same process (`qcards serve` runs one
// by default). The write statement queues them already leased to that worker (as a claim would have), returns
// them, and the worker starts the POSTs once the statement has committed: no NOTIFY, no claim statement, no
// second version of each row. Measured at 1,000 events/s (BENCHMARKS.md, tenth session): p50 from ~7–18 ms to
// ~2–6 ms. A process that dies holding them leaves rows whose lease runs out, as after any claim: another worker
// (or this one restarted) sends them then. Deliveries of a subscription whose lane in the worker is full, or whose
// receiver times out, are not handed over: they are queued due, for that worker's claims once the lane has room (and other workers' polls).
// One statement may take the worker past its bounds by what it carries (64 changes' deliveries at most).

/** How the deliveries about to be queued are handed over. */
export interface HandoffTerms {
  /** The lease they are queued with. */
  leaseUntil: Date;
  /** Subscriptions whose deliveries are queued due, for the workers' claims, instead. */
  skip: string[];
}

/** A webhook worker running in this process on the same database handle as the writes. */
export interface LocalWorker {
  /** The terms for deliveries about to be queued; undefined when it takes none now. */
  handoffTerms(): HandoffTerms | undefined;
  /**
   * The deliveries queued under `terms`, once the statement that queued them has committed; `queuedDue`: how many
   * it queued due instead, for the skipped subscriptions.
   */
  accept(deliveries: QueuedDelivery[], terms: HandoffTerms, queuedDue: number): void;
  /** The statement that asked for `terms` failed with its outcome unknown: give back what it may have queued. */
  abandon(eventIds: string[], terms: HandoffTerms): void;
}

const localWorkers = new WeakMap<Db, LocalWorker>();

/** Makes `worker` the one deliveries queued through `db` are handed to; returns the undoing. */
export function registerLocalWorker(db: Db, worker: LocalWorker): () => void {
  localWorkers.set(db, worker);
  return () => {
    if (localWorkers.get(db) === worker) localWorkers.delete(db);
  };
}

export const localWorkerOf = (db: Db): LocalWorker | undefined => localWorkers.get(db);

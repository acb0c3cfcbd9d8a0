import { sql, type RawBuilder } from 'kysely';
import type { Db, Engine } from '../db/engine.ts';
import { executePrepared } from '../db/prepared.ts';
import { deliveryBody } from './envelope.ts';
import { MAX_ATTEMPTS, RETRY_BASE_SECONDS, RETRY_CAP_SECONDS, RETRY_FACTOR, RETRY_JITTER } from './schedule.ts';

// The worker's SQL: claim due deliveries, record outcomes, schedule retries, remove old rows. Each is one
// statement, so a worker killed between any two of them leaves a consistent outbox. Claim and record run as
// named prepared statements (db/prepared.ts): parsed and planned on every call, they spent 0.26 and 0.36 ms
// planning each, ~0.7 s of every 8 s of PostgreSQL time at 1,000 events/s (pg_stat_statements with
// track_planning). PostgreSQL settles on a generic plan for the claim (its shape fixes the plan: a walk per
// subscription through its due index); for the record it keeps planning with the arrays' sizes, so only the
// parse is saved there.

/**
 * When a new (or replayed) delivery is due: at once, for every worker. The sandbox clock lives in the API
 * process that was asked to move it; rows queued at that moved time were due an hour (or a month) ahead for a
 * separate `qcards worker` on real time, which left them pending until real time caught up. The database's
 * time is the one clock all processes share.
 */
export const dueNow = (at: Date | RawBuilder<unknown>) => sql<Date>`least(${at}::timestamptz, now())`;

/** A delivery as a worker sends it: the row, its body (./envelope.ts), its subscription's secret and URL. */
export interface QueuedDelivery {
  id: string;
  subscription_id: string;
  organization_id: string;
  /** Null only when its card event is no longer stored: such a delivery cannot be sent (marked failed). */
  body: string | null;
  attempts: number;
  secret: string;
  callback_url: string;
}

export interface ClaimedDelivery extends QueuedDelivery {
  /** When the claim lapses and another worker may take the row. */
  leaseUntil: Date;
}

/**
 * `q.delivery_id = ANY (ids)`: the queue rows of a batch (`q` is webhook_queue). Said even where a join on the id
 * says it already, so that the planner can fetch them by the primary key: joined only, the claim's lease hashed a
 * sequential scan of the whole queue (65,189 scans in one 4-round bench:webhooks run, BENCHMARKS.md), since a small
 * table (or one whose size the last vacuum undercounted) looks cheaper to read whole than through k index probes
 * at random_page_cost. A sequential scan
 * also filtering every row through the list costs it in proportion to rows × k, which it then is.
 */
const byIds = (ids: RawBuilder<unknown>) => sql`q.delivery_id = ANY (${ids})`;

/**
 * Claims up to `limit` due deliveries in one statement: `FOR UPDATE SKIP LOCKED` lets concurrent workers claim
 * disjoint rows without waiting on each other, and pushing the queue row's `next_attempt_at` past the lease is the
 * lease itself: a row whose worker dies becomes due again by itself. Rows are taken per subscription (through the
 * queue's (subscription_id, next_attempt_at) index), oldest first overall: at most the number `shares` gives a
 * subscription (the room left in its queue in this worker), `otherShare` for any other; subscriptions in `skip`
 * (a full queue) are left out. A single walk of the due index in time
 * order had to step over a dead receiver's whole backlog on every claim: with a receiver that never answers,
 * the healthy subscribers' p99 doubled (bench:webhooks, 56.6 ms → 120.7 ms). Only the queue rows change: the
 * log's rows are read for the body (migration 018).
 */
export async function claimDue(
  db: Db,
  input: {
    now: Date; leaseMs: number; limit: number; skip: string[];
    shares: { subscriptionIds: string[]; rows: number[] }; otherShare: number;
  },
): Promise<ClaimedDelivery[]> {
  const leaseUntil = new Date(input.now.getTime() + input.leaseMs);
  const result = await executePrepared(db, sql<QueuedDelivery>`
    WITH due AS (
      SELECT q.delivery_id FROM webhook_subscriptions s
      LEFT JOIN unnest(${input.shares.subscriptionIds}::uuid[], ${input.shares.rows}::int[]) AS share (subscription_id, rows)
        ON share.subscription_id = s.id
      CROSS JOIN LATERAL (
        SELECT delivery_id, next_attempt_at FROM webhook_queue
        WHERE subscription_id = s.id AND next_attempt_at <= ${input.now}::timestamptz
        ORDER BY next_attempt_at
        LIMIT coalesce(share.rows, ${input.otherShare})
        FOR UPDATE SKIP LOCKED
      ) q
      -- Disabled subscriptions are not left out: a row queued while a 410 was being recorded would stay pending
      -- forever; claimed, it meets the 410 again and is marked failed like the others.
      WHERE s.id <> ALL (${input.skip}::uuid[])
      ORDER BY q.next_attempt_at
      LIMIT ${input.limit}
    ),
    leased AS (
      UPDATE webhook_queue q
      SET next_attempt_at = ${leaseUntil}::timestamptz, attempts = q.attempts + 1
      WHERE ${byIds(sql`ARRAY(SELECT delivery_id FROM due)`)}
      RETURNING q.delivery_id, q.attempts
    )
    SELECT d.id, d.subscription_id, d.organization_id, ${deliveryBody('d', 'e', sql`s.membership_id`)} AS body, l.attempts, s.secret, s.callback_url
    FROM leased l JOIN webhook_deliveries d ON d.id = l.delivery_id
    LEFT JOIN card_events e ON e.id = d.event_id
    JOIN webhook_subscriptions s ON s.id = d.subscription_id
  `);
  return result.rows.map((r) => ({ ...r, leaseUntil }));
}

/**
 * Gives back deliveries leased to a worker that it will not send: handed over (./handoff.ts) by a write whose
 * outcome was unknown, or before the worker stopped; or held in a worker's queue for a receiver that started
 * timing out (beyond what its fewer slots send in time) or until the lease nearly ran out. Due now, for any worker; the lease's count in `attempts` taken back, since
 * no try was made (it drives the retry schedule). Only rows still under that lease: one whose lease ran out
 * may have been claimed again meanwhile.
 */
export async function releaseLeased(
  db: Db, now: Date, which: { rows: Array<{ id: string; leaseUntil: Date }> } | { eventIds: string[]; leaseUntil: Date },
): Promise<void> {
  const release = sql`UPDATE webhook_queue q SET next_attempt_at = ${dueNow(now)}, attempts = q.attempts - 1`;
  if ('eventIds' in which) {
    // Only queued (pending) rows can be under a lease; the log has no index on event_id.
    await sql`${release} FROM webhook_deliveries d
      WHERE d.id = q.delivery_id AND d.event_id = ANY (${which.eventIds}::uuid[])
        AND q.next_attempt_at = ${which.leaseUntil}::timestamptz AND q.attempts > 0`.execute(db);
    return;
  }
  // Each row under its own lease: rows given back together may come from different claims and writes.
  const ids = which.rows.map((r) => r.id);
  await sql`${release}
    FROM unnest(${ids}::uuid[], ${which.rows.map((r) => r.leaseUntil.toISOString())}::timestamptz[]) AS r (id, lease_until)
    WHERE q.delivery_id = r.id AND ${byIds(sql`${ids}::uuid[]`)} AND q.next_attempt_at = r.lease_until AND q.attempts > 0`.execute(db);
}

/** `unsendable`: its body cannot be built (the event is gone): failed at once, with no request. */
export type Outcome = 'delivered' | 'retry' | 'gone' | 'unsendable';

export interface AttemptResult {
  id: string;
  subscriptionId: string;
  outcome: Outcome;
  attemptedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  excerpt: string | null;
  /** Seconds the receiver asked us to wait (already clamped), if it did. */
  retryAfter: number | null;
}

/**
 * Records a batch of attempts and their consequences in one statement: the attempt rows; the delivery marked
 * delivered, rescheduled (the schedule of schedule.ts, computed here in SQL with the queue row's attempt count, or
 * a receiver's longer Retry-After: a shorter one would burn the twelve tries in seconds) or
 * failed once attempts reach MAX_ATTEMPTS; and, for 410 Gone, the subscription disabled with every other
 * pending delivery of it marked failed (they stay replayable). A delivery leaves the queue when it is delivered or
 * failed. One that another worker already completed (its queue row is gone) keeps its state; the attempt is still
 * logged.
 *
 * Returns the subscriptions that take no more deliveries: deleted (the delivery row went with them, so there is
 * nothing to record) or whose receiver answered 410 in this batch (whichever worker's record disabled it). The
 * worker drops what it holds queued for them.
 */
export async function recordAttempts(db: Db, now: Date, results: AttemptResult[]): Promise<string[]> {
  if (results.length === 0) return [];
  const column = <T>(pick: (r: AttemptResult) => T) => results.map(pick);
  // `settled` and `rescheduled` split the batch's queue rows by complementary conditions on the same row version,
  // so each row is taken by exactly one of them (or neither, if another worker's record removed it).
  const retried = sql`r.outcome = 'retry' AND q.attempts < ${MAX_ATTEMPTS}`;
  const ids = sql`${column((r) => r.id)}::uuid[]`;
  const result = await executePrepared(db, sql<{ id: string }>`
    WITH r AS (
      SELECT * FROM unnest(
        ${column((r) => r.id)}::uuid[], ${column((r) => r.subscriptionId)}::uuid[], ${column((r) => r.outcome)}::text[],
        ${column((r) => r.attemptedAt.toISOString())}::timestamptz[], ${column((r) => r.statusCode)}::int[],
        ${column((r) => r.latencyMs)}::int[], ${column((r) => r.error)}::text[], ${column((r) => r.excerpt)}::text[],
        ${column((r) => r.retryAfter)}::int[]
      ) AS r (id, subscription_id, outcome, attempted_at, status_code, latency_ms, error, excerpt, retry_after)
    ),
    logged AS (
      INSERT INTO webhook_attempts (id, delivery_id, organization_id, subscription_id, attempted_at, status_code,
        latency_ms, error, response_excerpt)
      SELECT qcards_time_ordered_id(), d.id, d.organization_id, d.subscription_id, r.attempted_at, r.status_code,
        r.latency_ms, r.error, r.excerpt
      FROM r JOIN webhook_deliveries d ON d.id = r.id
    ),
    settled AS (
      DELETE FROM webhook_queue q USING r
      WHERE q.delivery_id = r.id AND ${byIds(ids)} AND NOT (${retried})
      RETURNING q.delivery_id
    ),
    rescheduled AS (
      UPDATE webhook_queue q SET
        next_attempt_at = ${now}::timestamptz + make_interval(secs =>
          greatest(COALESCE(r.retry_after::float8, 0),
            least(${RETRY_BASE_SECONDS}::float8 * power(${RETRY_FACTOR}::float8, q.attempts - 1), ${RETRY_CAP_SECONDS}::float8)
              * (${1 - RETRY_JITTER}::float8 + random() * ${2 * RETRY_JITTER}::float8)))
      FROM r
      WHERE q.delivery_id = r.id AND ${byIds(ids)} AND ${retried}
      RETURNING q.delivery_id
    ),
    updated AS (
      UPDATE webhook_deliveries d SET
        status = CASE
          WHEN x.pending THEN 'pending'
          WHEN r.outcome = 'delivered' THEN 'delivered'
          ELSE 'failed' END,
        delivered_at = CASE WHEN r.outcome = 'delivered' THEN ${now}::timestamptz ELSE d.delivered_at END,
        last_status_code = r.status_code,
        last_error = r.error
      FROM (SELECT delivery_id, false AS pending FROM settled UNION ALL SELECT delivery_id, true FROM rescheduled) x
      JOIN r ON r.id = x.delivery_id
      WHERE d.id = x.delivery_id
      RETURNING d.subscription_id, r.outcome
    ),
    disabled AS (
      UPDATE webhook_subscriptions s
      SET status = 'disabled', disabled_reason = 'the receiver answered 410 Gone', updated_at = ${now}::timestamptz
      WHERE s.id IN (SELECT subscription_id FROM updated WHERE outcome = 'gone')
      RETURNING s.id
    ),
    unqueued_with_it AS (
      DELETE FROM webhook_queue q
      USING disabled
      WHERE q.subscription_id = disabled.id AND q.delivery_id <> ALL (${ids})
      RETURNING q.delivery_id
    ),
    failed_with_it AS (
      UPDATE webhook_deliveries d
      SET status = 'failed', last_error = 'subscription disabled: the receiver answered 410 Gone'
      FROM unqueued_with_it u
      WHERE d.id = u.delivery_id
    )
    SELECT r.subscription_id AS id FROM r
    WHERE r.outcome = 'gone' OR NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.id = r.id)
    GROUP BY r.subscription_id
  `);
  return result.rows.map((row) => row.id);
}


/** The earliest due time of a pending delivery, to sleep until then: the first of each subscription's due index. */
export async function nextDueAt(db: Db): Promise<Date | undefined> {
  const result = await sql<{ at: Date | null }>`
    SELECT min(q.next_attempt_at) AS at FROM webhook_subscriptions s
    CROSS JOIN LATERAL (
      SELECT next_attempt_at FROM webhook_queue
      WHERE subscription_id = s.id
      ORDER BY next_attempt_at
      LIMIT 1
    ) q`.execute(db);
  const at = result.rows[0]?.at;
  return at ? new Date(at) : undefined;
}

/**
 * Vacuums the queue: clears the dead row versions and due-index entries that claims and results leave behind
 * (migration 015 says why it matters). The queue holds only pending deliveries, so this reads a few pages.
 * SKIP_LOCKED: a vacuum already under way (another worker's, autovacuum) is enough; INDEX_CLEANUP ON: PostgreSQL
 * would otherwise skip the indexes when few pages have dead rows, and the due index is the point.
 */
export async function vacuumQueue(db: Db): Promise<void> {
  await sql`VACUUM (SKIP_LOCKED, INDEX_CLEANUP ON) webhook_queue`.execute(db);
}

/**
 * Vacuums the tables retention removes from, after it removed rows. Results update the log's rows in place (HOT,
 * migration 018), which needs no vacuum; removals leave dead rows and index entries that only a vacuum clears. It
 * reads the tables' indexes whole (0.8–1.6 s for the log near 3 million deliveries on the benchmark machine),
 * hence only after removals.
 */
export async function vacuumLog(db: Db): Promise<void> {
  await sql`VACUUM (SKIP_LOCKED) webhook_deliveries, webhook_attempts, card_events`.execute(db);
}

/**
 * Whether this process should vacuum the outbox: nothing else does (PGlite has no autovacuum; PostgreSQL's can be
 * off, blind without `track_counts`, or off for the queue), and it may (only the table's owner can vacuum it).
 */
export async function outboxNeedsOwnVacuum(engine: Engine): Promise<boolean> {
  if (engine.kind === 'pglite') return true;
  const result = await sql<{ autovacuum: boolean; owner: boolean }>`
    SELECT current_setting('autovacuum') = 'on' AND current_setting('track_counts') = 'on'
        AND NOT COALESCE('autovacuum_enabled=false' = ANY (c.reloptions), false) AS autovacuum,
      pg_has_role(c.relowner, 'USAGE') AS owner
    FROM pg_class c WHERE c.oid = 'webhook_queue'::regclass`.execute(engine.db);
  const row = result.rows[0]!;
  return !row.autovacuum && row.owner;
}

/** Rows of the queue as the last vacuum or analyze counted them (0 when never counted). */
export async function queueRows(db: Db): Promise<number> {
  const result = await sql<{ n: number }>`
    SELECT greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = 'webhook_queue'::regclass`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

/**
 * Removes deliveries (with their attempts) and card events older than the retention, in batches of 5,000 so that
 * no statement holds locks for long. Pending deliveries are kept whatever their age, and so are their events. Old
 * deliveries are found through each subscription's (created_at) index: an index of their own would be one more
 * entry to write for every version of every delivery; old events through each organization's.
 */
export async function removeExpired(db: Db, now: Date, retentionDays: number): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  let removed = 0;
  for (;;) {
    const a = await sql`DELETE FROM webhook_attempts WHERE id IN (
      SELECT id FROM webhook_attempts WHERE attempted_at < ${cutoff}::timestamptz LIMIT 5000)`.execute(db);
    const d = await sql`DELETE FROM webhook_deliveries WHERE id IN (
      SELECT d.id FROM webhook_subscriptions s
      CROSS JOIN LATERAL (
        SELECT id FROM webhook_deliveries
        WHERE subscription_id = s.id AND created_at < ${cutoff}::timestamptz AND status <> 'pending'
        LIMIT 5000
      ) d
      LIMIT 5000)`.execute(db);
    // An event stays while a delivery of it is pending (queued): its body is built from the event (./envelope.ts). Old
    // events are found through each organization's (created_at) index: a range on the index's second column
    // alone read it whole, 275 ms for 755,000 events with none to remove, at every worker's start and hour.
    const e = await sql`DELETE FROM card_events WHERE id IN (
      SELECT e.id FROM organizations o
      CROSS JOIN LATERAL (
        SELECT id FROM card_events e
        WHERE organization_id = o.id AND created_at < ${cutoff}::timestamptz
          AND NOT EXISTS (
            SELECT 1 FROM webhook_queue q JOIN webhook_deliveries d ON d.id = q.delivery_id WHERE d.event_id = e.id)
        LIMIT 5000
      ) e
      LIMIT 5000)`.execute(db);
    const n = Number(a.numAffectedRows ?? 0n) + Number(d.numAffectedRows ?? 0n) + Number(e.numAffectedRows ?? 0n);
    removed += n;
    if (n === 0) return removed;
  }
}

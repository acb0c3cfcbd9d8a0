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
 * Claims up to `limit` due deliveries in one statement: `FOR UPDATE SKIP LOCKED` lets concurrent workers claim
 * disjoint rows without waiting on each other, and pushing `next_attempt_at` past the lease is the lease
 * itself: a row whose worker dies becomes due again by itself. Rows are taken per subscription (through the
 * (subscription_id, next_attempt_at) index), oldest first overall: at most the number `shares` gives a
 * subscription (the room left in its queue in this worker), `otherShare` for any other; subscriptions in `skip`
 * (a full queue) are left out. A single walk of the due index in time
 * order had to step over a dead receiver's whole backlog on every claim: with a receiver that never answers,
 * the healthy subscribers' p99 doubled (bench:webhooks, 56.6 ms → 120.7 ms).
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
      SELECT d.id, d.event_id FROM webhook_subscriptions s
      LEFT JOIN unnest(${input.shares.subscriptionIds}::uuid[], ${input.shares.rows}::int[]) AS share (subscription_id, rows)
        ON share.subscription_id = s.id
      CROSS JOIN LATERAL (
        SELECT id, event_id, next_attempt_at FROM webhook_deliveries
        WHERE subscription_id = s.id AND status = 'pending' AND next_attempt_at <= ${input.now}::timestamptz
        ORDER BY next_attempt_at
        LIMIT coalesce(share.rows, ${input.otherShare})
        FOR UPDATE SKIP LOCKED
      ) d
      -- Disabled subscriptions are not left out: a row queued while a 410 was being recorded would stay pending
      -- forever; claimed, it meets the 410 again and is marked failed like the others.
      WHERE s.id <> ALL (${input.skip}::uuid[])
      ORDER BY d.next_attempt_at
      LIMIT ${input.limit}
    )
    UPDATE webhook_deliveries d
    SET next_attempt_at = ${leaseUntil}::timestamptz, attempts = d.attempts + 1
    FROM due LEFT JOIN card_events e ON e.id = due.event_id, webhook_subscriptions s
    WHERE d.id = due.id AND s.id = d.subscription_id
    RETURNING d.id, d.subscription_id, d.organization_id, ${deliveryBody('d', 'e', sql`s.membership_id`)} AS body, d.attempts, s.secret, s.callback_url
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
  const release = sql`UPDATE webhook_deliveries d SET next_attempt_at = ${dueNow(now)}, attempts = d.attempts - 1`;
  const still = sql`d.status = 'pending' AND d.attempts > 0`;
  if ('eventIds' in which) {
    await sql`${release} WHERE d.event_id = ANY (${which.eventIds}::uuid[]) AND d.next_attempt_at = ${which.leaseUntil}::timestamptz AND ${still}`.execute(db);
    return;
  }
  // Each row under its own lease: rows given back together may come from different claims and writes.
  await sql`${release}
    FROM unnest(${which.rows.map((r) => r.id)}::uuid[], ${which.rows.map((r) => r.leaseUntil.toISOString())}::timestamptz[]) AS r (id, lease_until)
    WHERE d.id = r.id AND d.next_attempt_at = r.lease_until AND ${still}`.execute(db);
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
 * delivered, rescheduled (the schedule of schedule.ts, computed here in SQL with the row's attempt count, or a
 * receiver's longer Retry-After: a shorter one would burn the twelve tries in seconds) or
 * failed once attempts reach MAX_ATTEMPTS; and, for 410 Gone, the subscription disabled with every other
 * pending delivery of it marked failed (they stay replayable). A delivery another worker already completed
 * keeps its state; the attempt is still logged.
 *
 * Returns the subscriptions that take no more deliveries: deleted (the delivery row went with them, so there is
 * nothing to record) or whose receiver answered 410 in this batch (whichever worker's record disabled it). The
 * worker drops what it holds queued for them.
 */
export async function recordAttempts(db: Db, now: Date, results: AttemptResult[]): Promise<string[]> {
  if (results.length === 0) return [];
  const column = <T>(pick: (r: AttemptResult) => T) => results.map(pick);
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
    updated AS (
      UPDATE webhook_deliveries d SET
        status = CASE
          WHEN r.outcome = 'delivered' THEN 'delivered'
          WHEN r.outcome IN ('gone', 'unsendable') OR d.attempts >= ${MAX_ATTEMPTS} THEN 'failed'
          ELSE 'pending' END,
        delivered_at = CASE WHEN r.outcome = 'delivered' THEN ${now}::timestamptz ELSE d.delivered_at END,
        last_status_code = r.status_code,
        last_error = r.error,
        next_attempt_at = CASE
          WHEN r.outcome = 'retry' AND d.attempts < ${MAX_ATTEMPTS} THEN ${now}::timestamptz + make_interval(secs =>
            greatest(COALESCE(r.retry_after::float8, 0),
              least(${RETRY_BASE_SECONDS}::float8 * power(${RETRY_FACTOR}::float8, d.attempts - 1), ${RETRY_CAP_SECONDS}::float8)
                * (${1 - RETRY_JITTER}::float8 + random() * ${2 * RETRY_JITTER}::float8)))
          ELSE d.next_attempt_at END
      FROM r
      WHERE d.id = r.id AND d.status = 'pending'
      RETURNING d.subscription_id, r.outcome
    ),
    disabled AS (
      UPDATE webhook_subscriptions s
      SET status = 'disabled', disabled_reason = 'the receiver answered 410 Gone', updated_at = ${now}::timestamptz
      WHERE s.id IN (SELECT subscription_id FROM updated WHERE outcome = 'gone')
      RETURNING s.id
    ),
    failed_with_it AS (
      UPDATE webhook_deliveries d
      SET status = 'failed', last_error = 'subscription disabled: the receiver answered 410 Gone'
      FROM disabled
      WHERE d.subscription_id = disabled.id AND d.status = 'pending'
        AND d.id <> ALL (${column((r) => r.id)}::uuid[])
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
    SELECT min(d.next_attempt_at) AS at FROM webhook_subscriptions s
    CROSS JOIN LATERAL (
      SELECT next_attempt_at FROM webhook_deliveries
      WHERE subscription_id = s.id AND status = 'pending'
      ORDER BY next_attempt_at
      LIMIT 1
    ) d`.execute(db);
  const at = result.rows[0]?.at;
  return at ? new Date(at) : undefined;
}

/**
 * Vacuums the outbox: clears the dead row versions and due-index entries that claims and results leave behind
 * (migration 015 says why it matters). SKIP_LOCKED: a vacuum already under way (another worker's, autovacuum)
 * is enough; INDEX_CLEANUP ON: PostgreSQL would otherwise skip the indexes when few pages have dead rows, and
 * the due index is the point.
 */
export async function vacuumOutbox(db: Db): Promise<void> {
  await sql`VACUUM (SKIP_LOCKED, INDEX_CLEANUP ON) webhook_deliveries`.execute(db);
}

/**
 * Whether this process should vacuum the outbox: nothing else does (PGlite has no autovacuum; PostgreSQL's can be
 * off, blind without `track_counts`, or off for this table), and it may (only the table's owner can vacuum it).
 */
export async function outboxNeedsOwnVacuum(engine: Engine): Promise<boolean> {
  if (engine.kind === 'pglite') return true;
  const result = await sql<{ autovacuum: boolean; owner: boolean }>`
    SELECT current_setting('autovacuum') = 'on' AND current_setting('track_counts') = 'on'
        AND NOT COALESCE('autovacuum_enabled=false' = ANY (c.reloptions), false) AS autovacuum,
      pg_has_role(c.relowner, 'USAGE') AS owner
    FROM pg_class c WHERE c.oid = 'webhook_deliveries'::regclass`.execute(engine.db);
  const row = result.rows[0]!;
  return !row.autovacuum && row.owner;
}

/** Live rows of the outbox as the last vacuum or analyze counted them (0 when never counted). */
export async function outboxRows(db: Db): Promise<number> {
  const result = await sql<{ n: number }>`
    SELECT greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = 'webhook_deliveries'::regclass`.execute(db);
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
    // An event stays while a delivery of it is pending: its body is built from the event (./envelope.ts). Old
    // events are found through each organization's (created_at) index: a range on the index's second column
    // alone read it whole, 275 ms for 755,000 events with none to remove, at every worker's start and hour.
    const e = await sql`DELETE FROM card_events WHERE id IN (
      SELECT e.id FROM organizations o
      CROSS JOIN LATERAL (
        SELECT id FROM card_events e
        WHERE organization_id = o.id AND created_at < ${cutoff}::timestamptz
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'pending')
        LIMIT 5000
      ) e
      LIMIT 5000)`.execute(db);
    const n = Number(a.numAffectedRows ?? 0n) + Number(d.numAffectedRows ?? 0n) + Number(e.numAffectedRows ?? 0n);
    removed += n;
    if (n === 0) return removed;
  }
}

-- The deliveries still to send get a small table of their own, apart from the log of every delivery kept for the
-- retention (30 days). Each claim and each result used to write a new version of the log's row, with new entries
-- in every one of its indexes (the due index holds `status`, so no update could be HOT), and the vacuum that
-- clears them reads every index of the table whole: 0.8–1.6 s near 3 million deliveries, once every 2 minutes at
-- 1,000 events/s, and the runs it overlapped had p99s 4 to 5 times the others' (BENCHMARKS.md, seventeenth
-- session). Now claims and leases change only `webhook_queue`, whose vacuum reads a few pages; a result changes
-- no indexed column of the log's row, so its update can be HOT (the new version on the same page, no index entry),
-- with room kept on each page for it (fillfactor).
--
-- Stop workers of an older qcards before migrating: they would look for the columns that move here.
--
-- A delivery is pending if and only if it has a queue row: every statement changes both together.
-- `attempts` counts the tries since the delivery was (re)queued and drives the retry schedule; the tries made
-- are the log's webhook_attempts rows.
CREATE TABLE webhook_queue (
  delivery_id uuid PRIMARY KEY,
  -- The log's subscription_id, for the due index: a subscription's row cascades to its deliveries and to these.
  subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
  -- When it is due. A claim pushes it forward by the lease, so a worker that dies mid-delivery leaves a row that
  -- simply becomes due again.
  next_attempt_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0
);
-- The claim walks each subscription's due rows through this one, so a dead receiver's growing backlog is never
-- scanned by claims for the others.
CREATE INDEX webhook_queue_due ON webhook_queue (subscription_id, next_attempt_at);

INSERT INTO webhook_queue (delivery_id, subscription_id, next_attempt_at, attempts)
SELECT id, subscription_id, next_attempt_at, attempts FROM webhook_deliveries WHERE status = 'pending';

DROP INDEX webhook_deliveries_subscription_due;
ALTER TABLE webhook_deliveries DROP COLUMN next_attempt_at, DROP COLUMN attempts;

-- A result's update of a log row goes on the row's own page when there is room: 20% of each new page is kept for
-- it (rows are ~170 bytes).
ALTER TABLE webhook_deliveries SET (fillfactor = 80);
-- The log's dead versions are now those of results that found no room, and retention's removals: the default
-- threshold (a fifth of the table) fits them. The queue takes the churn: vacuum it after 1,000 dead rows (it
-- holds only the pending deliveries, so a vacuum of it reads a few pages).
ALTER TABLE webhook_deliveries RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold);
ALTER TABLE webhook_queue SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
-- A vacuum of the queue does not give its emptied last pages back to the file system (they are reused): the queue
-- is filled at its end and emptied soon after, so a vacuum finds empty pages there, and truncating them needs a
-- lock that conflicts with every claim, result and queued delivery. Vacuums waited for it in steps of about 50 ms
-- (wait event VacuumTruncate), up to 911 ms during bench:webhooks, and held up the queue while they had it.
ALTER TABLE webhook_queue SET (vacuum_truncate = false);

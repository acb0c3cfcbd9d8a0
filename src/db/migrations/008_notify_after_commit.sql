-- Workers are woken by the writer after its commit (src/webhooks/wake.ts), no longer by a trigger inside the
-- writing transaction. A transaction that NOTIFYs holds PostgreSQL's one notification-queue lock from its
-- pre-commit until its commit record is flushed to disk, so every commit that queued deliveries waited for the
-- previous one's WAL flush: on the benchmark machine that capped producers at ~370 events/s (893 with the
-- trigger off). A NOTIFY sent on its own writes no WAL and does not wait for a flush.
DROP TRIGGER webhook_deliveries_queued ON webhook_deliveries;
DROP FUNCTION webhook_deliveries_notify();

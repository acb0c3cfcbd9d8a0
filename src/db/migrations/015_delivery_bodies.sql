-- A delivery's body (the exact bytes signed and sent, ~1.2 KB for a card event) moves to a table of its own,
-- written once. In webhook_deliveries it was copied into every new version of the row, and a delivery gets two:
-- the claim's and the result's. So each delivery wrote its body three times, to the table and to the WAL, and
-- without vacuum the outbox grew by ~1.3 KB a version (125 MB after a 45,000-delivery benchmark run).
CREATE TABLE webhook_delivery_bodies (
  delivery_id uuid PRIMARY KEY REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  body text NOT NULL
);
-- Every process on the database must run this version from here on: an older one writes and reads the body
-- column (README, "Upgrading"). Dropping the column frees no space: rows written before keep their copy of the
-- body until they are written again or removed by retention.
INSERT INTO webhook_delivery_bodies (delivery_id, body) SELECT id, body FROM webhook_deliveries;
ALTER TABLE webhook_deliveries DROP COLUMN body;
DO $$
BEGIN
  ALTER TABLE webhook_delivery_bodies ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END $$;

-- Two indexes fewer to write on every insert, claim and result (each version of a row is a new entry in every
-- index): the earliest due time is found through each subscription's due index, and retention walks each
-- subscription's (created_at) range of webhook_deliveries_subscription (src/webhooks/delivery-store.ts).
DROP INDEX webhook_deliveries_due;
DROP INDEX webhook_deliveries_created;

-- Every claim and result leaves a dead version of the row and a dead entry in the due index, at the start of the
-- range each claim walks, so claims slow down until a vacuum clears them (the worker's PostgreSQL CPU doubled in
-- 15 s at 500 deliveries/s without one). PostgreSQL's default waits until a fifth of the table has changed;
-- this one vacuums after 5,000 dead rows. Workers vacuum the table themselves where autovacuum is off or
-- absent (PGlite): src/webhooks/worker.ts.
ALTER TABLE webhook_deliveries SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000);

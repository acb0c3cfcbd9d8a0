-- Every claim and every result leaves a dead version of a delivery row, and a dead entry at the start of the due
-- index that each claim walks, so claims slow down until a vacuum clears them (without one, the worker's
-- PostgreSQL CPU grew from 0.40 to 0.54 CPU-seconds a second within 16 s at 500 deliveries/s). PostgreSQL's
-- default waits until a fifth of the table has changed; this asks for a vacuum after 5,000 dead rows. Workers
-- vacuum the table themselves where autovacuum is off or absent (PGlite): src/webhooks/worker.ts.
ALTER TABLE webhook_deliveries SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000);

-- Two indexes fewer to write for every version of every delivery (each version is a new entry in every index):
-- the earliest due time is found through each subscription's due index, and retention walks each subscription's
-- (created_at) range of webhook_deliveries_subscription (src/webhooks/delivery-store.ts).
DROP INDEX webhook_deliveries_due;
DROP INDEX webhook_deliveries_created;

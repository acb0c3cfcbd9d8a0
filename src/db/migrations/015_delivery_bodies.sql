-- A delivery's body (the exact bytes signed and sent, ~1.2 KB for a card event) moves to a table of its own,
-- written once. In webhook_deliveries it was copied into every new version of the row, and a delivery gets two:
-- the claim's and the result's. So each delivery wrote its body three times, to the table and to the WAL, and
-- without vacuum the outbox grew by ~1.3 KB a version (125 MB after a 45,000-delivery benchmark run).
CREATE TABLE webhook_delivery_bodies (
  delivery_id uuid PRIMARY KEY REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  body text NOT NULL
);
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

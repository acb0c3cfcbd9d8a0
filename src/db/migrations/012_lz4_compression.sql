-- The large texts read on every hot path are compressed with lz4 instead of PostgreSQL's default pglz: a card's
-- pre-rendered JSON (~1.8 KB; rows past ~2 KB are compressed), an event's data and a delivery's body. Reading a
-- 100-card page of api_json took 1.2–1.6 ms with pglz against 0.96–0.99 ms with lz4 and 0.72–1.09 ms stored
-- uncompressed (pgbench, one client, 100,000 cards; BENCHMARKS.md), and lz4 keeps most of the space pglz saves
-- (190 MB against 170 MB pglz and 260 MB uncompressed). Values keep the compression they were written with
-- until they are written again. PGlite is built without lz4, so there everything stays as it was.
DO $$
BEGIN
  ALTER TABLE cards ALTER COLUMN api_json SET COMPRESSION lz4;
  ALTER TABLE card_events ALTER COLUMN data SET COMPRESSION lz4;
  ALTER TABLE webhook_deliveries ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END $$;

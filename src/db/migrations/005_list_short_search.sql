-- GET /v2/cards?query=<term with no trigram> (one or two characters, or no run of three ASCII letters/digits):
-- the trigram GIN index cannot serve such a term, so the search used to read every card row of the
-- organization, ~1.6 KB each with its pre-rendered JSON (5.5 s for `zq` on a 100,000-card organization of the
-- 1M-card benchmark database, 0.7 s for `e`). This narrow copy of the organization's search text, sort keys
-- and filter columns (~230 bytes an entry, 231 MB for 1M cards) turns that into an index-only scan: 39–107 ms
-- on the same organization on a loaded machine (bench/list-search/README.md). The planner also picks it over
-- the GIN index for trigram terms that match much of the organization (`202`: 1.1 s → 0.1 s).
CREATE INDEX IF NOT EXISTS cards_short_search ON cards (organization_id)
  INCLUDE (search_text, id, status, nickname, created_at, last_activity_at, card_level, bank_account_id, holder_id);

-- meta.total_count of the whole-organization list sums the organization's counter rows (card_totals), and the
-- page anchors' order epoch sums their `changes` (and `activity_changes`, for the last_activity_at sorts). An
-- organization's rows lie scattered over the table (one per account, status and level, inserted over time), so
-- each sum read them through a bitmap over as many heap pages as rows: 265 rows, 213 pages, 0.58 ms for the
-- largest organization of the list benchmark. Covering the columns the sums read makes it an index-only scan:
-- 0.09–0.14 ms. Twice per list request.
CREATE INDEX card_counts_organization ON card_counts (organization_id) INCLUDE (bank_account_id, status, card_level, n, changes, activity_changes);

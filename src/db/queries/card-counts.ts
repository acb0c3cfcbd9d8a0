import { sql } from 'kysely';
import type { Executor } from './cards.ts';

// The card counters' housekeeping (006_count_deltas.sql): writers append deltas; this folds them into
// card_counts. One statement deletes a batch of deltas and adds their sums, so a reader sees either the
// deltas or their sum, never both or neither. SKIP LOCKED lets several processes fold at once; rows are
// upserted in key order, so two folders cannot deadlock. `changes` and `activity_changes` keep how many delta
// rows each counter has absorbed, which the order epoch counts (011_card_order_epoch.sql).
const FOLD_BATCH = 10_000;

/** Folds up to one batch of deltas; returns how many delta rows were folded. */
export async function foldCardCountDeltas(db: Executor): Promise<number> {
  const { rows } = await sql<{ folded: number }>`
    WITH moved AS (
      DELETE FROM card_count_deltas
      WHERE id IN (SELECT id FROM card_count_deltas ORDER BY id LIMIT ${FOLD_BATCH} FOR UPDATE SKIP LOCKED)
      RETURNING organization_id, bank_account_id, status, card_level, n, activity
    ), summed AS (
      INSERT INTO card_counts AS c (organization_id, bank_account_id, status, card_level, stripe, n, changes, activity_changes)
      SELECT organization_id, bank_account_id, status, card_level, 0, sum(n),
        count(*) FILTER (WHERE NOT activity), count(*) FILTER (WHERE activity)
      FROM moved GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
      ON CONFLICT (organization_id, bank_account_id, status, card_level, stripe) DO UPDATE
      SET n = c.n + excluded.n, changes = c.changes + excluded.changes,
        activity_changes = c.activity_changes + excluded.activity_changes
    )
    SELECT count(*)::int8 AS folded FROM moved`.execute(db);
  return Number(rows[0]?.folded ?? 0);
}

-- An organization's "order epoch": a number that changes whenever the order or the membership of its card list
-- can change, read in the same snapshot as a page, so that a process may remember where deep pages begin
-- (page anchors, src/services/page-anchors.ts) and trust what it remembered only while the number is the same.
--
-- The number is the count of the organization's delta rows: those not folded yet, plus those folded
-- (card_counts.changes, added by the fold in the same statement that deletes them, so the sum is the same on
-- either side of a fold). Every committed change that can move a card in the list appends at least one row:
-- inserts and deletes through the statement triggers of 001/006, and updates through the row trigger below.
-- A later snapshot sees a superset of an earlier one's commits, so an equal number means no such change
-- committed in between. (Deleting an organization deletes its counters, and so its epoch, with it.)
--
-- A change of last_activity_at alone (a payment) moves cards only in the two last_activity_at sorts, and payments
-- are the most frequent change, so its rows are flagged `activity` and counted apart (card_counts.activity_changes):
-- the other sorts' epoch leaves them out, and their anchors outlive payments.
ALTER TABLE card_counts ADD COLUMN changes bigint NOT NULL DEFAULT 0;
ALTER TABLE card_counts ADD COLUMN activity_changes bigint NOT NULL DEFAULT 0;
ALTER TABLE card_count_deltas ADD COLUMN activity boolean NOT NULL DEFAULT false;

-- The row trigger of 010 also fires when a sort key changes (nickname, last_activity_at; created_at and id are
-- never changed by qcards, but are covered all the same). A change that leaves the counted columns as they were
-- appends one row of 0, which moves the epoch and no total (flagged `activity` when last_activity_at is all
-- that changed).
CREATE OR REPLACE FUNCTION card_counts_apply_row_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (OLD.organization_id, OLD.bank_account_id, OLD.status, OLD.card_level)
     IS NOT DISTINCT FROM (NEW.organization_id, NEW.bank_account_id, NEW.status, NEW.card_level) THEN
    INSERT INTO card_count_deltas (organization_id, bank_account_id, status, card_level, n, activity) VALUES
      (NEW.organization_id, NEW.bank_account_id, NEW.status, NEW.card_level, 0,
       (OLD.nickname, OLD.created_at, OLD.id) IS NOT DISTINCT FROM (NEW.nickname, NEW.created_at, NEW.id));
  ELSE
    INSERT INTO card_count_deltas (organization_id, bank_account_id, status, card_level, n) VALUES
      (OLD.organization_id, OLD.bank_account_id, OLD.status, OLD.card_level, -1),
      (NEW.organization_id, NEW.bank_account_id, NEW.status, NEW.card_level, 1);
  END IF;
  RETURN NULL;
END;
$$;

DROP TRIGGER cards_count_updated ON cards;
CREATE TRIGGER cards_count_updated AFTER UPDATE ON cards FOR EACH ROW
  WHEN (OLD.organization_id IS DISTINCT FROM NEW.organization_id
    OR OLD.bank_account_id IS DISTINCT FROM NEW.bank_account_id
    OR OLD.status IS DISTINCT FROM NEW.status
    OR OLD.card_level IS DISTINCT FROM NEW.card_level
    OR OLD.nickname IS DISTINCT FROM NEW.nickname
    OR OLD.last_activity_at IS DISTINCT FROM NEW.last_activity_at
    OR OLD.created_at IS DISTINCT FROM NEW.created_at
    OR OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION card_counts_apply_row_updated();

-- Card updates append their counter deltas from a row trigger with a WHEN clause instead of a statement
-- trigger over transition tables. The statement trigger ran on every card update and copied the whole old and
-- new rows (api_json and search_text included) into its transition tables first, although most updates (limits,
-- nickname, options, restrictions, spending) change none of the counted columns. The WHEN clause is evaluated
-- without calling the function, so those updates now cost nothing here; a status change appends its two
-- deltas directly. The scheduler folds deltas as before (006_count_deltas.sql).
DROP TRIGGER cards_count_updated ON cards;
DROP FUNCTION card_counts_apply_updated();

CREATE FUNCTION card_counts_apply_row_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO card_count_deltas (organization_id, bank_account_id, status, card_level, n) VALUES
    (OLD.organization_id, OLD.bank_account_id, OLD.status, OLD.card_level, -1),
    (NEW.organization_id, NEW.bank_account_id, NEW.status, NEW.card_level, 1);
  RETURN NULL;
END;
$$;

CREATE TRIGGER cards_count_updated AFTER UPDATE ON cards FOR EACH ROW
  WHEN (OLD.organization_id IS DISTINCT FROM NEW.organization_id
    OR OLD.bank_account_id IS DISTINCT FROM NEW.bank_account_id
    OR OLD.status IS DISTINCT FROM NEW.status
    OR OLD.card_level IS DISTINCT FROM NEW.card_level)
  EXECUTE FUNCTION card_counts_apply_row_updated();

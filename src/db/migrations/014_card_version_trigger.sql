-- Every UPDATE of a card row bumps its version, whoever makes it: this process, another server, the CLI or plain
-- SQL. 007 left the bump to the application's one UPDATE (src/db/queries/cards.ts); since each process now also
-- remembers the cards it wrote (src/services/card-cache.ts) and writes on top of what it remembers when the
-- version still matches, a change that did not bump it would be silently overwritten by the next one.
CREATE FUNCTION cards_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := OLD.version + 1;
  RETURN NEW;
END;
$$;
CREATE TRIGGER cards_version BEFORE UPDATE ON cards FOR EACH ROW EXECUTE FUNCTION cards_bump_version();

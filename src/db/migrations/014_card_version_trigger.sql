-- Every UPDATE of a card row gives it a new version, whoever makes it: this process, another server, the
-- scheduler, the CLI or plain SQL. 007 left the bump to the application's one UPDATE (src/db/queries/cards.ts);
-- since each process now also remembers the cards it changed (src/services/card-cache.ts) and writes on top of
-- what it remembers while the version still matches, a change that did not move the version would be silently
-- overwritten by the next one.
--
-- The new version comes from a sequence, not from version + 1: a card deleted and inserted again with the same
-- id (a reload of the table) starts again at 0, and must not meet a remembered version by chance. Integer and
-- cycling: remembered versions live minutes, a cycle is two billion updates. ENABLE ALWAYS: the trigger fires
-- under session_replication_role = replica too, where ordinary triggers do not.
CREATE SEQUENCE card_versions AS integer MINVALUE 1 CYCLE;

CREATE FUNCTION cards_new_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := nextval('card_versions');
  RETURN NEW;
END;
$$;
CREATE TRIGGER cards_version BEFORE UPDATE ON cards FOR EACH ROW EXECUTE FUNCTION cards_new_version();
ALTER TABLE cards ENABLE ALWAYS TRIGGER cards_version;

-- What a process remembers with a card also includes its holder's name and team (the card's search text and
-- who may see it). qcards never changes a membership's name or team after creating it; if anything does, the
-- cards it holds get new versions, so no process writes on top of what it remembered about them.
CREATE FUNCTION memberships_holder_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE cards SET version = version WHERE organization_id = NEW.organization_id AND holder_id = NEW.id;
  RETURN NULL;
END;
$$;
CREATE TRIGGER memberships_holder_changed AFTER UPDATE OF first_name, last_name, team_id ON memberships
  FOR EACH ROW WHEN (OLD.first_name IS DISTINCT FROM NEW.first_name OR OLD.last_name IS DISTINCT FROM NEW.last_name
    OR OLD.team_id IS DISTINCT FROM NEW.team_id)
  EXECUTE FUNCTION memberships_holder_changed();

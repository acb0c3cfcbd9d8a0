-- Successful authentications are remembered per process (src/services/auth-cache.ts). Every process forgets
-- them when it hears this notification, sent by any change to what a principal is made of (a credential, a
-- membership's role or team, an organization), whoever made it: the API, the CLI, another server or plain SQL.
-- Such writes are rare, so the NOTIFY inside the writing transaction (which serializes committing NOTIFYers,
-- 008_notify_after_commit.sql) costs nothing that matters here. Inserts are left out: only successes are cached,
-- and a new row cannot turn one into a failure (creating a membership with extra fields, which updates it right
-- after its insert, clears the caches anyway: harmless).
CREATE FUNCTION qcards_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('qcards_auth', '');
  RETURN NULL;
END;
$$;
CREATE TRIGGER credentials_auth_changed AFTER UPDATE OR DELETE OR TRUNCATE ON credentials
  FOR EACH STATEMENT EXECUTE FUNCTION qcards_auth_changed();
CREATE TRIGGER memberships_auth_changed AFTER UPDATE OR DELETE OR TRUNCATE ON memberships
  FOR EACH STATEMENT EXECUTE FUNCTION qcards_auth_changed();
CREATE TRIGGER organizations_auth_changed AFTER UPDATE OR DELETE OR TRUNCATE ON organizations
  FOR EACH STATEMENT EXECUTE FUNCTION qcards_auth_changed();

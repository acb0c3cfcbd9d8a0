-- Foundation: organizations, their people and accounts, credentials, cards and the card event log.
-- Every table carries organization_id so the data can be distributed by it (DESIGN.md, "Scale").

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE TABLE organizations (
  id uuid PRIMARY KEY,
  slug text NOT NULL UNIQUE,
  name text NOT NULL,
  legal_name text NOT NULL,
  legal_number text NOT NULL,
  legal_country text NOT NULL DEFAULT 'FR',
  legal_form text NOT NULL DEFAULT 'SAS',
  legal_share_capital numeric(14, 2) NOT NULL DEFAULT 1000,
  legal_sector text NOT NULL DEFAULT '',
  legal_registration_date date,
  legal_address text NOT NULL DEFAULT '',
  locale text NOT NULL DEFAULT 'fr',
  contract_signed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE teams (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX teams_organization ON teams (organization_id);

CREATE TABLE memberships (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  first_name text NOT NULL,
  last_name text NOT NULL,
  email text NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'employee', 'reporting')),
  team_id uuid REFERENCES teams (id) ON DELETE SET NULL,
  status text NOT NULL DEFAULT 'active',
  phone_number text NOT NULL DEFAULT '',
  position text NOT NULL DEFAULT '',
  locale text NOT NULL DEFAULT 'fr',
  residence_country text NOT NULL DEFAULT 'FR',
  nationality text NOT NULL DEFAULT 'FR',
  birth_country text NOT NULL DEFAULT 'FR',
  birthdate date,
  ubo boolean NOT NULL DEFAULT false,
  kyc_status text NOT NULL DEFAULT 'accepted',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX memberships_organization ON memberships (organization_id, created_at, id);
CREATE INDEX memberships_team ON memberships (team_id) WHERE team_id IS NOT NULL;

CREATE TABLE bank_accounts (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  slug text NOT NULL UNIQUE,
  name text NOT NULL,
  iban text NOT NULL,
  bic text NOT NULL,
  currency text NOT NULL DEFAULT 'EUR',
  balance_cents bigint NOT NULL DEFAULT 0,
  authorized_balance_cents bigint NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'active',
  main boolean NOT NULL DEFAULT false,
  is_external_account boolean NOT NULL DEFAULT false,
  account_number text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bank_accounts_organization ON bank_accounts (organization_id, created_at, id);

-- API keys (`login:secret`) and OAuth-style access tokens. Only a SHA-256 of the secret is kept: the secrets
-- are 32 random bytes, so a fast hash is as safe as a slow one and keeps authentication off the hot path.
CREATE TABLE credentials (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  membership_id uuid NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('api_key', 'access_token')),
  login text UNIQUE,
  secret_hash text NOT NULL UNIQUE,
  scopes text[] NOT NULL,
  label text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  CHECK ((kind = 'api_key') = (login IS NOT NULL))
);
CREATE INDEX credentials_membership ON credentials (membership_id);

CREATE TABLE cards (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  holder_id uuid NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
  initiator_id uuid REFERENCES memberships (id) ON DELETE SET NULL,
  bank_account_id uuid NOT NULL REFERENCES bank_accounts (id) ON DELETE CASCADE,
  -- status and nickname sort by byte order (CONTRACT.md) so a client can reproduce the order.
  status text COLLATE "C" NOT NULL CHECK (status IN ('pending', 'live', 'paused', 'stolen', 'lost', 'pin_blocked',
    'discarded', 'expired', 'shipped_lost', 'onhold', 'order_canceled', 'pre_expired', 'abusive')),
  card_level text NOT NULL CHECK (card_level IN ('standard', 'plus', 'metal', 'virtual', 'flash', 'advertising')),
  card_type text NOT NULL CHECK (card_type IN ('debit', 'prepaid')),
  nickname text COLLATE "C" NOT NULL,
  embossed_name text,
  pin_set boolean NOT NULL DEFAULT false,
  -- The full test PAN and CVV never leave the server except through the data_view page.
  pan text NOT NULL,
  cvv text NOT NULL,
  mask_pan text NOT NULL,
  last_digits text NOT NULL,
  exp_month text NOT NULL,
  exp_year text NOT NULL,
  last_activity_at timestamptz,
  ship_to_business boolean NOT NULL DEFAULT false,
  atm_option boolean NOT NULL,
  nfc_option boolean NOT NULL,
  online_option boolean NOT NULL,
  foreign_option boolean NOT NULL,
  atm_monthly_limit integer NOT NULL,
  atm_monthly_spent numeric(14, 2) NOT NULL DEFAULT 0,
  atm_daily_limit integer NOT NULL,
  atm_daily_spent numeric(14, 2) NOT NULL DEFAULT 0,
  atm_daily_limit_option boolean NOT NULL,
  payment_monthly_limit integer NOT NULL,
  payment_monthly_spent numeric(14, 2) NOT NULL DEFAULT 0,
  payment_daily_limit integer NOT NULL,
  payment_daily_spent numeric(14, 2) NOT NULL DEFAULT 0,
  payment_daily_limit_option boolean NOT NULL,
  payment_transaction_limit integer NOT NULL,
  payment_transaction_limit_option boolean NOT NULL,
  payment_lifespan_limit integer,
  payment_lifespan_spent numeric(14, 2) NOT NULL DEFAULT 0,
  active_days smallint[] NOT NULL,
  categories text[] NOT NULL,
  pre_expires_at timestamptz,
  shipped_at timestamptz,
  address jsonb,
  renewed boolean NOT NULL DEFAULT false,
  renewal boolean NOT NULL DEFAULT false,
  parent_card_id uuid,
  parent_last_digits text,
  had_operation boolean NOT NULL DEFAULT false,
  had_pin_operation boolean NOT NULL DEFAULT false,
  card_design text NOT NULL,
  type_of_print text CHECK (type_of_print IN ('print', 'embossed')),
  upsold boolean NOT NULL DEFAULT false,
  upsell boolean NOT NULL DEFAULT false,
  discard_on date,
  reordered boolean NOT NULL DEFAULT false,
  has_only_user_liftable_locks boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- Lower-cased text of the nine searchable fields, one per line, kept current with every change
  -- (holder names included) so `query` is one trigram index lookup.
  search_text text NOT NULL,
  -- The card's API JSON, rendered in the same transaction as every change: a 100-card page is ~150 KB and
  -- JSON.stringify of 100 objects per request capped a server at ~900 req/s where pre-rendered text
  -- reached ~5,400 (DESIGN.md).
  api_json text NOT NULL
);

-- One index per sort option, tie-breaker included, each covering the filter columns so that any filter with
-- any sort is an index-only walk of the organization's range (DESIGN.md: 119 ms without a matching index,
-- 1.3 ms with one).
CREATE INDEX cards_by_status ON cards (organization_id, status, id)
  INCLUDE (card_level, bank_account_id, holder_id);
CREATE INDEX cards_by_nickname ON cards (organization_id, nickname, id)
  INCLUDE (status, card_level, bank_account_id, holder_id);
CREATE INDEX cards_by_created_at ON cards (organization_id, created_at, id)
  INCLUDE (status, card_level, bank_account_id, holder_id);
-- Dates sort with nulls last in both orders, which a backward scan of one index cannot give.
CREATE INDEX cards_by_last_activity_asc ON cards (organization_id, last_activity_at ASC NULLS LAST, id ASC)
  INCLUDE (status, card_level, bank_account_id, holder_id);
CREATE INDEX cards_by_last_activity_desc ON cards (organization_id, last_activity_at DESC NULLS LAST, id DESC)
  INCLUDE (status, card_level, bank_account_id, holder_id);
CREATE INDEX cards_by_holder ON cards (organization_id, holder_id);
CREATE INDEX cards_search ON cards USING gin (organization_id, search_text gin_trgm_ops);

-- Exact `meta.total_count` without counting rows: the number of cards per organization, bank account,
-- status and level, kept by triggers. count(*) over 100,000 cards took 37 ms; summing these rows takes
-- well under one. Each statement's delta lands on one of eight stripes so concurrent writers in one
-- organization do not queue on a single counter row.
CREATE TABLE card_counts (
  organization_id uuid NOT NULL,
  bank_account_id uuid NOT NULL,
  status text NOT NULL,
  card_level text NOT NULL,
  stripe smallint NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (organization_id, bank_account_id, status, card_level, stripe)
);

-- Statement-level triggers: one statement (a bulk create of 100 cards, a load of a million) applies one
-- aggregated delta, in key order, so two writers lock counter rows in the same order and cannot deadlock.
CREATE FUNCTION card_counts_apply_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO card_counts AS c (organization_id, bank_account_id, status, card_level, stripe, n)
  SELECT organization_id, bank_account_id, status, card_level, floor(random() * 8)::smallint, count(*)
  FROM new_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (organization_id, bank_account_id, status, card_level, stripe) DO UPDATE SET n = c.n + excluded.n;
  RETURN NULL;
END;
$$;

CREATE FUNCTION card_counts_apply_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO card_counts AS c (organization_id, bank_account_id, status, card_level, stripe, n)
  SELECT organization_id, bank_account_id, status, card_level, floor(random() * 8)::smallint, -count(*)
  FROM old_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (organization_id, bank_account_id, status, card_level, stripe) DO UPDATE SET n = c.n + excluded.n;
  RETURN NULL;
END;
$$;

CREATE FUNCTION card_counts_apply_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO card_counts AS c (organization_id, bank_account_id, status, card_level, stripe, n)
  SELECT organization_id, bank_account_id, status, card_level, floor(random() * 8)::smallint, sum(n)
  FROM (
    SELECT organization_id, bank_account_id, status::text, card_level, -1 AS n FROM old_rows
    UNION ALL
    SELECT organization_id, bank_account_id, status::text, card_level, 1 AS n FROM new_rows
  ) AS d
  GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4
  ON CONFLICT (organization_id, bank_account_id, status, card_level, stripe) DO UPDATE SET n = c.n + excluded.n;
  RETURN NULL;
END;
$$;

CREATE TRIGGER cards_count_inserted AFTER INSERT ON cards REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION card_counts_apply_inserted();
CREATE TRIGGER cards_count_deleted AFTER DELETE ON cards REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION card_counts_apply_deleted();
CREATE TRIGGER cards_count_updated AFTER UPDATE ON cards REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION card_counts_apply_updated();

-- One row per accepted card change that Qonto announces as a `v1/cards` event, written in the change's own
-- transaction. `data` is the webhook `data` object as it will be delivered.
CREATE TABLE card_events (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  card_id uuid NOT NULL,
  event text NOT NULL CHECK (event IN ('created', 'activated', 'locked', 'unlocked', 'nickname_updated',
    'options_updated', 'limits_updated', 'restrictions_updated', 'discarded', 'expired')),
  actor_membership_id uuid,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX card_events_organization ON card_events (organization_id, created_at, id);
CREATE INDEX card_events_card ON card_events (card_id, created_at);

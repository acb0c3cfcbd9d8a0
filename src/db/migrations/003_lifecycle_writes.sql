-- Card lifecycle: idempotency keys, SCA sessions, data_view links and the spending periods of the sandbox.

-- One row per X-Qonto-Idempotency-Key of a membership. A request claims its key with an INSERT (state
-- 'pending') before running, outside any transaction, so concurrent repeats see the claim and wait for the
-- answer instead of running the change twice; the first success is stored and replayed byte for byte until
-- expires_at. Failures delete the claim: Qonto caches successful responses only.
CREATE TABLE idempotency_keys (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  membership_id uuid NOT NULL,
  idempotency_key text NOT NULL,
  method text NOT NULL,
  path text NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'done')),
  status_code integer,
  content_type text,
  body text,
  claimed_at timestamptz NOT NULL,
  expires_at timestamptz,
  PRIMARY KEY (organization_id, membership_id, idempotency_key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at) WHERE expires_at IS NOT NULL;

-- Strong customer authentication sessions, bound to the one request they were issued for (a SHA-256 of its
-- method, path and body) and usable once after 'allow'.
CREATE TABLE sca_sessions (
  token text PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  membership_id uuid NOT NULL,
  request_hash text NOT NULL,
  result text NOT NULL CHECK (result IN ('waiting', 'allow', 'deny')),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  decided_at timestamptz,
  used_at timestamptz
);
CREATE INDEX sca_sessions_expiry ON sca_sessions (expires_at);

-- Single-use links to the page showing a card's PAN, expiry and CVV. Only a SHA-256 of the token is kept.
CREATE TABLE card_view_tokens (
  token_hash text PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  card_id uuid NOT NULL,
  language text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

-- The Europe/Paris day and month the card's *_spent counters belong to. A card that never spent has no row.
-- Counters roll over lazily: when a payment reads the card, or when the scheduler sweeps stale rows.
CREATE TABLE card_spending_periods (
  card_id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  day date NOT NULL,
  month text NOT NULL
);
CREATE INDEX card_spending_periods_day ON card_spending_periods (day);

-- The expiry scheduler looks for live cards past their expiry month or flash cards past pre_expires_at.
CREATE INDEX cards_expiry ON cards ((exp_year::int * 12 + exp_month::int))
  WHERE status NOT IN ('stolen', 'lost', 'discarded', 'expired', 'pre_expired', 'order_canceled', 'shipped_lost', 'abusive');
CREATE INDEX cards_pre_expiry ON cards (pre_expires_at)
  WHERE card_level = 'flash'
    AND status NOT IN ('stolen', 'lost', 'discarded', 'expired', 'pre_expired', 'order_canceled', 'shipped_lost', 'abusive');

-- Webhook subscriptions (Qonto's /v2/webhook_subscriptions), the delivery outbox and every delivery attempt.

-- The signing secret is kept in clear text: an HMAC signature needs the secret itself, so it cannot be hashed
-- like credentials are (001_foundation.sql). Whoever can read this table can forge deliveries for its
-- subscriptions, and nothing more: the secret grants no access to the API.
CREATE TABLE webhook_subscriptions (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  -- The membership that created it: Qonto lists only "subscriptions created by the authenticated user".
  membership_id uuid NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
  callback_url text NOT NULL,
  types text[] NOT NULL,
  description text,
  secret text NOT NULL,
  -- 'disabled' after the receiver answered 410 Gone; a PUT makes it active again.
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  disabled_reason text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX webhook_subscriptions_owner ON webhook_subscriptions (organization_id, membership_id, created_at, id);
-- The outbox insert looks up the organization's active subscriptions on every card change.
CREATE INDEX webhook_subscriptions_active ON webhook_subscriptions (organization_id) WHERE status = 'active';

-- The outbox: one row per (subscription, event), written in the transaction of the change that emits the
-- event, so a delivery exists if and only if its change committed. `id` is the envelope id: stable across
-- retries, replays and redeliveries. `body` holds the exact bytes sent (and signed) on every try.
CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
  -- card_events.id; null for test events.
  event_id uuid,
  type text NOT NULL,
  event text NOT NULL,
  body text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  -- Claims counted since the row was (re)queued: drives the retry schedule.
  attempts integer NOT NULL DEFAULT 0,
  -- When a pending row is due. A claim pushes it forward by the lease, so a worker that dies mid-delivery
  -- leaves a row that simply becomes due again.
  next_attempt_at timestamptz NOT NULL,
  last_status_code integer,
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
-- The claim walks each subscription's due rows through this one, so a dead receiver's growing backlog is never
-- scanned by claims for the others.
CREATE INDEX webhook_deliveries_subscription_due ON webhook_deliveries (subscription_id, next_attempt_at)
  WHERE status = 'pending';
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at, id);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);

CREATE TABLE webhook_attempts (
  id uuid PRIMARY KEY,
  delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  organization_id uuid NOT NULL,
  subscription_id uuid NOT NULL,
  attempted_at timestamptz NOT NULL,
  status_code integer,
  latency_ms integer NOT NULL,
  -- timeout, connection refused, blocked address, ... ; null when the receiver answered.
  error text,
  -- The first 1,024 characters of the receiver's answer.
  response_excerpt text
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempted_at);
CREATE INDEX webhook_attempts_time ON webhook_attempts (attempted_at);

-- Wakes the workers (LISTEN qcards_webhooks) when deliveries are queued: the notification is sent at commit,
-- so a worker never looks for a row that is not visible yet. One per statement, not per row, and none for a
-- card change in an organization without subscriptions (the outbox INSERT ... SELECT then inserts nothing).
CREATE FUNCTION webhook_deliveries_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM new_rows) THEN
    PERFORM pg_notify('qcards_webhooks', '');
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER webhook_deliveries_queued AFTER INSERT ON webhook_deliveries REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_notify();

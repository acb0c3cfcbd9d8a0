import type { ColumnType, Generated } from 'kysely';

// Row types of every table, as the type parsers in type-parsers.ts return them: numeric and int8 as number,
// date as a 'YYYY-MM-DD' string, timestamptz as Date. Keep in step with migrations/.

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface OrganizationsTable {
  id: string;
  slug: string;
  name: string;
  legal_name: string;
  legal_number: string;
  legal_country: Generated<string>;
  legal_form: Generated<string>;
  legal_share_capital: Generated<number>;
  legal_sector: Generated<string>;
  legal_registration_date: string | null;
  legal_address: Generated<string>;
  locale: Generated<string>;
  contract_signed_at: Timestamp | null;
  created_at: DefaultedTimestamp;
}

export interface TeamsTable {
  id: string;
  organization_id: string;
  name: string;
  created_at: DefaultedTimestamp;
}

export type Role = 'owner' | 'admin' | 'manager' | 'employee' | 'reporting';

export interface MembershipsTable {
  id: string;
  organization_id: string;
  first_name: string;
  last_name: string;
  email: string;
  role: Role;
  team_id: string | null;
  status: Generated<string>;
  phone_number: Generated<string>;
  position: Generated<string>;
  locale: Generated<string>;
  residence_country: Generated<string>;
  nationality: Generated<string>;
  birth_country: Generated<string>;
  birthdate: string | null;
  ubo: Generated<boolean>;
  kyc_status: Generated<string>;
  created_at: DefaultedTimestamp;
}

export interface BankAccountsTable {
  id: string;
  organization_id: string;
  slug: string;
  name: string;
  iban: string;
  bic: string;
  currency: Generated<string>;
  balance_cents: Generated<number>;
  authorized_balance_cents: Generated<number>;
  status: Generated<string>;
  main: Generated<boolean>;
  is_external_account: Generated<boolean>;
  account_number: string;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface CredentialsTable {
  id: string;
  organization_id: string;
  membership_id: string;
  kind: 'api_key' | 'access_token';
  login: string | null;
  secret_hash: string;
  scopes: string[];
  label: Generated<string>;
  created_at: DefaultedTimestamp;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export const CARD_STATUSES = [
  'pending', 'live', 'paused', 'stolen', 'lost', 'pin_blocked', 'discarded', 'expired', 'shipped_lost', 'onhold',
  'order_canceled', 'pre_expired', 'abusive',
] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];

export const CARD_LEVELS = ['standard', 'plus', 'metal', 'virtual', 'flash', 'advertising'] as const;
export type CardLevel = (typeof CARD_LEVELS)[number];

export interface ShippingAddress {
  contact_name: string | null;
  first_line: string;
  second_line: string | null;
  third_line: string | null;
  zipcode: string;
  city: string;
  country: string;
}

export interface CardsTable {
  id: string;
  organization_id: string;
  holder_id: string;
  initiator_id: string | null;
  bank_account_id: string;
  status: CardStatus;
  card_level: CardLevel;
  card_type: 'debit' | 'prepaid';
  nickname: string;
  embossed_name: string | null;
  pin_set: boolean;
  pan: string;
  cvv: string;
  mask_pan: string;
  last_digits: string;
  exp_month: string;
  exp_year: string;
  last_activity_at: Timestamp | null;
  ship_to_business: boolean;
  atm_option: boolean;
  nfc_option: boolean;
  online_option: boolean;
  foreign_option: boolean;
  atm_monthly_limit: number;
  atm_monthly_spent: number;
  atm_daily_limit: number;
  atm_daily_spent: number;
  atm_daily_limit_option: boolean;
  payment_monthly_limit: number;
  payment_monthly_spent: number;
  payment_daily_limit: number;
  payment_daily_spent: number;
  payment_daily_limit_option: boolean;
  payment_transaction_limit: number;
  payment_transaction_limit_option: boolean;
  payment_lifespan_limit: number | null;
  payment_lifespan_spent: number;
  active_days: number[];
  categories: string[];
  pre_expires_at: Timestamp | null;
  shipped_at: Timestamp | null;
  address: ColumnType<ShippingAddress | null, string | null, string | null>;
  renewed: boolean;
  renewal: boolean;
  parent_card_id: string | null;
  parent_last_digits: string | null;
  had_operation: boolean;
  had_pin_operation: boolean;
  card_design: string;
  type_of_print: 'print' | 'embossed' | null;
  upsold: boolean;
  upsell: boolean;
  discard_on: string | null;
  reordered: boolean;
  has_only_user_liftable_locks: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** New on every UPDATE of the row (014_card_version_trigger.sql): what a change checks it is still applying to. */
  version: Generated<number>;
  search_text: string;
  api_json: string;
}

export interface CardCountsTable {
  organization_id: string;
  bank_account_id: string;
  status: string;
  card_level: string;
  stripe: number;
  n: number;
  /** Delta rows folded into this counter so far, those of last_activity_at alone apart (011_card_order_epoch.sql). */
  changes: Generated<number>;
  /** The same for delta rows of a change of last_activity_at alone. */
  activity_changes: Generated<number>;
}

export interface CardCountDeltasTable {
  id: Generated<number>;
  organization_id: string;
  bank_account_id: string;
  status: string;
  card_level: string;
  n: number;
  /** A change of last_activity_at alone (011_card_order_epoch.sql). */
  activity: Generated<boolean>;
}

/** A view: card_counts plus the deltas not folded yet. */
export interface CardTotalsView {
  organization_id: string;
  bank_account_id: string;
  status: string;
  card_level: string;
  n: number;
}

export const CARD_EVENTS = [
  'created', 'activated', 'locked', 'unlocked', 'nickname_updated', 'options_updated', 'limits_updated',
  'restrictions_updated', 'discarded', 'expired',
] as const;
export type CardEventName = (typeof CARD_EVENTS)[number];

export interface CardEventsTable {
  id: string;
  organization_id: string;
  card_id: string;
  event: CardEventName;
  actor_membership_id: string | null;
  /** `json`: the exact text written, which deliveries' bodies are built from (migration 016). */
  data: ColumnType<Record<string, unknown>, string, string>;
  created_at: DefaultedTimestamp;
}

export interface WebhookSubscriptionsTable {
  id: string;
  organization_id: string;
  membership_id: string;
  callback_url: string;
  types: string[];
  description: string | null;
  secret: string;
  status: Generated<'active' | 'disabled'>;
  disabled_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveriesTable {
  id: string;
  organization_id: string;
  subscription_id: string;
  event_id: string | null;
  type: string;
  event: string;
  /** A test event's body; null for a card event's delivery, whose body is built from the event (src/webhooks/envelope.ts). */
  body: string | null;
  /** 'pending' exactly while it has a webhook_queue row (migration 018). */
  status: Generated<DeliveryStatus>;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Timestamp | null;
  created_at: Timestamp;
}

/** The deliveries still to send (migration 018): one row per pending delivery. */
export interface WebhookQueueTable {
  delivery_id: string;
  subscription_id: string;
  /** When it is due; a claim pushes it past the lease. */
  next_attempt_at: Timestamp;
  /** Tries since it was (re)queued: drives the retry schedule. */
  attempts: Generated<number>;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  organization_id: string;
  subscription_id: string;
  attempted_at: Timestamp;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  response_excerpt: string | null;
}

export interface Database {
  organizations: OrganizationsTable;
  teams: TeamsTable;
  memberships: MembershipsTable;
  bank_accounts: BankAccountsTable;
  credentials: CredentialsTable;
  cards: CardsTable;
  card_counts: CardCountsTable;
  card_count_deltas: CardCountDeltasTable;
  card_totals: CardTotalsView;
  card_events: CardEventsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_queue: WebhookQueueTable;
  webhook_attempts: WebhookAttemptsTable;
}

// Lifecycle (migration 003).
export interface IdempotencyKeysTable {
  organization_id: string;
  membership_id: string;
  idempotency_key: string;
  method: string;
  path: string;
  state: 'pending' | 'done';
  status_code: number | null;
  content_type: string | null;
  body: string | null;
  claimed_at: Timestamp;
  expires_at: Timestamp | null;
}

export interface ScaSessionsTable {
  token: string;
  organization_id: string;
  membership_id: string;
  request_hash: string;
  result: 'waiting' | 'allow' | 'deny';
  created_at: Timestamp;
  expires_at: Timestamp;
  decided_at: Timestamp | null;
  used_at: Timestamp | null;
}

export interface CardViewTokensTable {
  token_hash: string;
  organization_id: string;
  card_id: string;
  language: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface CardSpendingPeriodsTable {
  card_id: string;
  organization_id: string;
  day: string;
  month: string;
}

export interface LifecycleTables {
  idempotency_keys: IdempotencyKeysTable;
  sca_sessions: ScaSessionsTable;
  card_view_tokens: CardViewTokensTable;
  card_spending_periods: CardSpendingPeriodsTable;
}

// Declaration merging adds the lifecycle tables to Database without touching its declaration above.
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Database extends LifecycleTables {}

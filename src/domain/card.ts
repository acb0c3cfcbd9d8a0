import type { Selectable } from 'kysely';
import type { CardEventName, CardsTable } from '../db/schema.ts';
import { appearanceOf } from './appearances.ts';

// The one place where a card row becomes API JSON, webhook `data` and search text. Services call these in
// the same transaction as every change, so the stored `api_json` and `search_text` never go stale.

export type CardRecord = Omit<Selectable<CardsTable>, 'search_text' | 'api_json' | 'version'>;

export interface HolderName {
  first_name: string;
  last_name: string;
}

/** `2023-11-07T05:31:56Z`: Qonto's timestamps carry seconds and no fraction. */
export function isoSeconds(date: Date | null): string | null {
  return date === null ? null : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The card object of the API, with the seed's keys in the seed's order plus the three newer ones. */
export function cardApiObject(c: CardRecord): Record<string, unknown> {
  return {
    id: c.id,
    nickname: c.nickname,
    embossed_name: c.embossed_name,
    status: c.status,
    pin_set: c.pin_set,
    mask_pan: c.mask_pan,
    exp_month: c.exp_month,
    exp_year: c.exp_year,
    last_activity_at: isoSeconds(c.last_activity_at),
    last_digits: c.last_digits,
    ship_to_business: c.ship_to_business,
    atm_option: c.atm_option,
    nfc_option: c.nfc_option,
    online_option: c.online_option,
    foreign_option: c.foreign_option,
    atm_monthly_limit: c.atm_monthly_limit,
    atm_monthly_spent: c.atm_monthly_spent,
    atm_daily_limit: c.atm_daily_limit,
    atm_daily_spent: c.atm_daily_spent,
    atm_daily_limit_option: c.atm_daily_limit_option,
    payment_monthly_limit: c.payment_monthly_limit,
    payment_monthly_spent: c.payment_monthly_spent,
    payment_daily_limit: c.payment_daily_limit,
    payment_daily_spent: c.payment_daily_spent,
    payment_daily_limit_option: c.payment_daily_limit_option,
    payment_transaction_limit: c.payment_transaction_limit,
    payment_transaction_limit_option: c.payment_transaction_limit_option,
    active_days: c.active_days,
    holder_id: c.holder_id,
    initiator_id: c.initiator_id,
    bank_account_id: c.bank_account_id,
    organization_id: c.organization_id,
    updated_at: isoSeconds(c.updated_at),
    created_at: isoSeconds(c.created_at),
    shipped_at: isoSeconds(c.shipped_at),
    card_type: c.card_type,
    card_level: c.card_level,
    payment_lifespan_limit: c.payment_lifespan_limit,
    payment_lifespan_spent: c.payment_lifespan_spent,
    pre_expires_at: isoSeconds(c.pre_expires_at),
    categories: c.categories,
    renewed: c.renewed,
    renewal: c.renewal,
    parent_card_summary: c.parent_card_id === null ? null : { id: c.parent_card_id, last_digits: c.parent_last_digits ?? '' },
    had_operation: c.had_operation,
    had_pin_operation: c.had_pin_operation,
    card_design: c.card_design,
    type_of_print: c.type_of_print,
    upsold: c.upsold,
    upsell: c.upsell,
    discard_on: c.discard_on,
    reordered: c.reordered,
    appearance: appearanceOf(c.card_design),
    has_only_user_liftable_locks: c.has_only_user_liftable_locks,
  };
}

export const renderCardJson = (c: CardRecord): string => JSON.stringify(cardApiObject(c));

/** Webhook limits are 2-decimal strings (`"1000.00"`), API limits integers (CONTRACT.md). */
const money = (n: number | null): string | null => (n === null ? null : n.toFixed(2));

/** `data` of a `v1/cards` delivery, with the seed's renamed fields (qonto-reference.md §5). */
export function cardWebhookData(c: CardRecord, event: CardEventName): Record<string, unknown> {
  return {
    event,
    id: c.id,
    nickname: c.nickname,
    status: c.status,
    masked_pan: c.mask_pan,
    exp_month: c.exp_month,
    exp_year: c.exp_year,
    atm_option: c.atm_option,
    nfc_option: c.nfc_option,
    online_option: c.online_option,
    foreign_option: c.foreign_option,
    atm_daily_limit: money(c.atm_daily_limit),
    atm_daily_limit_option: c.atm_daily_limit_option,
    atm_monthly_limit: money(c.atm_monthly_limit),
    payment_monthly_limit: money(c.payment_monthly_limit),
    payment_daily_limit: money(c.payment_daily_limit),
    payment_daily_limit_option: c.payment_daily_limit_option,
    payment_transaction_limit: money(c.payment_transaction_limit),
    payment_transaction_limit_option: c.payment_transaction_limit_option,
    payment_lifespan_limit: money(c.payment_lifespan_limit),
    active_days: c.active_days,
    holder_id: c.holder_id,
    bank_account_id: c.bank_account_id,
    updated_at: isoSeconds(c.updated_at),
    created_at: isoSeconds(c.created_at),
    card_type: c.card_type,
    card_level: c.card_level,
    category_tags: c.categories,
    renewal: c.renewal,
    upsell: c.upsell,
    discarded_at: c.discard_on,
  };
}

// A line feed separates the fields so that a search cannot match across two of them.
const FIELD_SEPARATOR = '\n';

/** The nine searchable fields of `GET /v2/cards?query=`, lower-cased. */
export function cardSearchText(c: CardRecord, holder: HolderName): string {
  return [
    holder.first_name,
    holder.last_name,
    c.id,
    c.nickname,
    c.last_digits,
    c.status,
    isoSeconds(c.pre_expires_at) ?? '',
    c.exp_year,
    c.exp_month,
  ]
    .join(FIELD_SEPARATOR)
    .toLowerCase();
}

/** Normalizes a search term the way cardSearchText normalizes the fields. */
export const normalizeSearchTerm = (query: string): string => query.toLowerCase();

import type { CardLevel } from '../db/schema.ts';
import type { CardRecord } from './card.ts';
import { isPhysical } from './card-factory.ts';
import { ApiError, type ErrorItem } from './errors.ts';

// Ranges and formats of every writable card field. Shapes and types (integers ≥ 0, nickname 1–40 characters,
// active_days 1–7 without repeats, categories from the list) are in the route schemas and answered with 400;
// the rules here depend on the card level, on other fields or on the time, and are answered with 422 naming
// the field (`source.pointer`). Pure.

/** qonto-reference.md §1.9.14: the category tags two independent clients agree on. */
export const CARD_CATEGORIES = [
  'transport', 'restaurant_and_bar', 'food_and_grocery', 'it_and_electronics', 'utility', 'tax',
  'legal_and_accounting', 'atm', 'office_supply', 'hardware_and_equipment', 'finance',
] as const;

export const NICKNAME_MAX_LENGTH = 40;

/**
 * Highest limits per level, whole euros. Payment ceilings follow Qonto's help centre (virtual and flash
 * €20,000 a month, advertising and metal €200,000); ATM withdrawals exist on physical cards only.
 */
export const LEVEL_MAXIMA: Record<CardLevel, { payment: number; atm: number }> = {
  standard: { payment: 20_000, atm: 3_000 },
  plus: { payment: 40_000, atm: 5_000 },
  metal: { payment: 200_000, atm: 10_000 },
  virtual: { payment: 20_000, atm: 0 },
  flash: { payment: 20_000, atm: 0 },
  advertising: { payment: 200_000, atm: 0 },
};
/** A flash card's budget: €5 to €20,000 (help centre). */
export const FLASH_LIFESPAN_RANGE = { min: 5, max: 20_000 } as const;
/** A flash card lives at most a year. */
export const FLASH_MAX_VALIDITY_MS = 365 * 86_400_000;

export type CardLimits = Pick<CardRecord,
  | 'atm_monthly_limit' | 'atm_daily_limit' | 'payment_monthly_limit' | 'payment_daily_limit'
  | 'payment_transaction_limit' | 'payment_lifespan_limit' | 'payment_daily_limit_option'
  | 'payment_transaction_limit_option' | 'atm_daily_limit_option'>;

const item = (base: string, field: string, code: string, detail: string): ErrorItem => ({
  code, detail, source: { pointer: `${base}/${field}` },
});

export function throwIfAny(items: ErrorItem[]): void {
  if (items.length > 0) throw new ApiError(422, items);
}

/** Limits that a card of `level` may carry, checked after the request is merged with the card or defaults. */
export function limitProblems(level: CardLevel, l: CardLimits, base = '/card'): ErrorItem[] {
  const max = LEVEL_MAXIMA[level];
  const out: ErrorItem[] = [];
  const over = (field: keyof CardLimits, value: number, ceiling: number) => {
    if (value > ceiling) {
      out.push(item(base, field, ceiling === 0 ? 'not_allowed_for_card_level' : 'limit_too_high',
        ceiling === 0 ? `${field} must be 0: ${level} cards cannot withdraw cash` : `${field} must be at most ${ceiling} for ${level} cards`));
    }
  };
  over('payment_monthly_limit', l.payment_monthly_limit, max.payment);
  over('payment_daily_limit', l.payment_daily_limit, max.payment);
  over('payment_transaction_limit', l.payment_transaction_limit, max.payment);
  over('atm_monthly_limit', l.atm_monthly_limit, max.atm);
  over('atm_daily_limit', l.atm_daily_limit, max.atm);
  if (out.length > 0) return out;
  // A daily or per-transaction limit only binds when its option is on, so only then must it fit the month.
  if (l.payment_daily_limit_option && l.payment_daily_limit > l.payment_monthly_limit) {
    out.push(item(base, 'payment_daily_limit', 'limit_above_monthly_limit', 'payment_daily_limit must not exceed payment_monthly_limit'));
  }
  if (l.payment_transaction_limit_option && l.payment_transaction_limit > l.payment_monthly_limit) {
    out.push(item(base, 'payment_transaction_limit', 'limit_above_monthly_limit', 'payment_transaction_limit must not exceed payment_monthly_limit'));
  }
  if (l.atm_daily_limit_option && l.atm_daily_limit > l.atm_monthly_limit) {
    out.push(item(base, 'atm_daily_limit', 'limit_above_monthly_limit', 'atm_daily_limit must not exceed atm_monthly_limit'));
  }
  if (level === 'flash') {
    const v = l.payment_lifespan_limit;
    if (v === null || v < FLASH_LIFESPAN_RANGE.min || v > FLASH_LIFESPAN_RANGE.max) {
      out.push(item(base, 'payment_lifespan_limit', 'out_of_range', `payment_lifespan_limit must be between ${FLASH_LIFESPAN_RANGE.min} and ${FLASH_LIFESPAN_RANGE.max} for flash cards`));
    }
  }
  return out;
}

export type CardOptions = Pick<CardRecord, 'atm_option' | 'nfc_option' | 'online_option' | 'foreign_option'>;

/** ATM and contactless exist on physical cards only. */
export function optionProblems(level: CardLevel, o: Partial<CardOptions>, base = '/card'): ErrorItem[] {
  if (isPhysical(level)) return [];
  const out: ErrorItem[] = [];
  if (o.atm_option === true) out.push(item(base, 'atm_option', 'not_allowed_for_card_level', `${level} cards cannot withdraw cash`));
  if (o.nfc_option === true) out.push(item(base, 'nfc_option', 'not_allowed_for_card_level', `${level} cards cannot pay contactless`));
  return out;
}

/** The fields of a creation request that depend on the level (the field set each level requires and rejects). */
export interface LevelFields {
  card_level: CardLevel;
  address?: object | null | undefined;
  ship_to_business?: boolean | undefined;
  type_of_print?: 'print' | 'embossed' | null | undefined;
  payment_lifespan_limit?: number | undefined;
  pre_expires_at?: string | undefined;
}

export function levelFieldProblems(f: LevelFields, now: Date, base = '/card'): ErrorItem[] {
  const out: ErrorItem[] = [];
  const level = f.card_level;
  const reject = (field: string, why: string) => out.push(item(base, field, 'not_allowed_for_card_level', `${field} ${why}`));
  if (isPhysical(level)) {
    if (f.address === undefined || f.address === null) {
      out.push(item(base, 'address', 'required', `address is required for ${level} cards: they are shipped`));
    }
  } else {
    if (f.address !== undefined && f.address !== null) reject('address', 'applies to physical cards only');
    if (f.ship_to_business === true) reject('ship_to_business', 'applies to physical cards only');
    if (f.type_of_print !== undefined && f.type_of_print !== null) reject('type_of_print', 'applies to physical cards only');
  }
  if (level === 'flash') {
    if (f.payment_lifespan_limit === undefined) out.push(item(base, 'payment_lifespan_limit', 'required', 'payment_lifespan_limit is required for flash cards'));
    if (f.pre_expires_at === undefined) {
      out.push(item(base, 'pre_expires_at', 'required', 'pre_expires_at is required for flash cards'));
    } else {
      const at = Date.parse(f.pre_expires_at);
      if (!(at > now.getTime())) out.push(item(base, 'pre_expires_at', 'date_in_past', 'pre_expires_at must be in the future'));
      else if (at > now.getTime() + FLASH_MAX_VALIDITY_MS) out.push(item(base, 'pre_expires_at', 'date_too_far', 'pre_expires_at must be within a year'));
    }
  } else {
    if (f.payment_lifespan_limit !== undefined) reject('payment_lifespan_limit', 'applies to flash cards only');
    if (f.pre_expires_at !== undefined) reject('pre_expires_at', 'applies to flash cards only');
  }
  return out;
}

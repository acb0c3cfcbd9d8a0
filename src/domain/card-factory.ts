import type { CardLevel, ShippingAddress } from '../db/schema.ts';
import { defaultDesign } from './appearances.ts';
import type { CardRecord, HolderName } from './card.ts';
import { generatePan, maskPan } from './card-numbers.ts';

// Builds a new card from already-validated input: every field the input leaves out gets the level's default.
// Pure: time and randomness come in through `ctx`.

export const PHYSICAL_LEVELS: readonly CardLevel[] = ['standard', 'plus', 'metal'];
export const isPhysical = (level: CardLevel): boolean => PHYSICAL_LEVELS.includes(level);

/** A level's default options and limits: the card fields a new card takes from its level. */
export type LevelDefaults = Pick<CardRecord,
  | 'atm_option' | 'nfc_option' | 'online_option' | 'foreign_option'
  | 'atm_monthly_limit' | 'atm_daily_limit' | 'payment_monthly_limit' | 'payment_daily_limit'
  | 'payment_transaction_limit' | 'payment_lifespan_limit'>;

/** Whole euros. Physical cards get ATM access; virtual, flash and advertising cards have none. */
export const LEVEL_DEFAULTS: Record<CardLevel, LevelDefaults> = {
  standard: { atm_option: true, nfc_option: true, online_option: true, foreign_option: true, atm_monthly_limit: 1000, atm_daily_limit: 500, payment_monthly_limit: 5000, payment_daily_limit: 1000, payment_transaction_limit: 1000, payment_lifespan_limit: null },
  plus: { atm_option: true, nfc_option: true, online_option: true, foreign_option: true, atm_monthly_limit: 2000, atm_daily_limit: 1000, payment_monthly_limit: 10000, payment_daily_limit: 2000, payment_transaction_limit: 2000, payment_lifespan_limit: null },
  metal: { atm_option: true, nfc_option: true, online_option: true, foreign_option: true, atm_monthly_limit: 3000, atm_daily_limit: 1500, payment_monthly_limit: 20000, payment_daily_limit: 5000, payment_transaction_limit: 5000, payment_lifespan_limit: null },
  virtual: { atm_option: false, nfc_option: false, online_option: true, foreign_option: true, atm_monthly_limit: 0, atm_daily_limit: 0, payment_monthly_limit: 1000, payment_daily_limit: 1000, payment_transaction_limit: 1000, payment_lifespan_limit: null },
  flash: { atm_option: false, nfc_option: false, online_option: true, foreign_option: true, atm_monthly_limit: 0, atm_daily_limit: 0, payment_monthly_limit: 500, payment_daily_limit: 500, payment_transaction_limit: 500, payment_lifespan_limit: 500 },
  advertising: { atm_option: false, nfc_option: false, online_option: true, foreign_option: true, atm_monthly_limit: 0, atm_daily_limit: 0, payment_monthly_limit: 5000, payment_daily_limit: 1000, payment_transaction_limit: 1000, payment_lifespan_limit: null },
};

export const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7];
const CARD_VALIDITY_YEARS = 3;
const FLASH_DEFAULT_VALIDITY_DAYS = 30;

export interface NewCardInput extends Partial<LevelDefaults> {
  id: string;
  organization_id: string;
  holder: { id: string } & HolderName;
  initiator_id: string | null;
  bank_account_id: string;
  card_level: CardLevel;
  nickname?: string;
  atm_daily_limit_option?: boolean;
  payment_daily_limit_option?: boolean;
  payment_transaction_limit_option?: boolean;
  active_days?: number[];
  categories?: string[];
  card_design?: string;
  type_of_print?: 'print' | 'embossed' | null;
  ship_to_business?: boolean;
  address?: ShippingAddress | null;
  pre_expires_at?: Date | null;
}

export interface FactoryContext {
  now: Date;
  randomDigit: () => number;
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export function buildCard(input: NewCardInput, ctx: FactoryContext): CardRecord {
  const level = input.card_level;
  const d = LEVEL_DEFAULTS[level];
  const physical = isPhysical(level);
  const pan = generatePan(ctx.randomDigit);
  const cvv = [ctx.randomDigit(), ctx.randomDigit(), ctx.randomDigit()].join('');
  const expiry = new Date(Date.UTC(ctx.now.getUTCFullYear() + CARD_VALIDITY_YEARS, ctx.now.getUTCMonth(), 1));
  const preExpiresAt = level === 'flash'
    ? input.pre_expires_at ?? new Date(ctx.now.getTime() + FLASH_DEFAULT_VALIDITY_DAYS * 86_400_000)
    : null;
  return {
    id: input.id,
    organization_id: input.organization_id,
    holder_id: input.holder.id,
    initiator_id: input.initiator_id,
    bank_account_id: input.bank_account_id,
    // CONTRACT.md: virtual, flash and advertising cards are usable at once; physical ones wait for activation.
    status: physical ? 'pending' : 'live',
    card_level: level,
    card_type: level === 'flash' ? 'prepaid' : 'debit',
    nickname: input.nickname ?? `${capitalize(level)} card`,
    embossed_name: `${input.holder.first_name} ${input.holder.last_name}`.toUpperCase(),
    pin_set: false,
    pan,
    cvv,
    mask_pan: maskPan(pan),
    last_digits: pan.slice(-4),
    exp_month: String(expiry.getUTCMonth() + 1),
    exp_year: String(expiry.getUTCFullYear()),
    last_activity_at: null,
    ship_to_business: physical ? input.ship_to_business ?? false : false,
    atm_option: input.atm_option ?? d.atm_option,
    nfc_option: input.nfc_option ?? d.nfc_option,
    online_option: input.online_option ?? d.online_option,
    foreign_option: input.foreign_option ?? d.foreign_option,
    atm_monthly_limit: input.atm_monthly_limit ?? d.atm_monthly_limit,
    atm_monthly_spent: 0,
    atm_daily_limit: input.atm_daily_limit ?? d.atm_daily_limit,
    atm_daily_spent: 0,
    atm_daily_limit_option: input.atm_daily_limit_option ?? false,
    payment_monthly_limit: input.payment_monthly_limit ?? d.payment_monthly_limit,
    payment_monthly_spent: 0,
    payment_daily_limit: input.payment_daily_limit ?? d.payment_daily_limit,
    payment_daily_spent: 0,
    payment_daily_limit_option: input.payment_daily_limit_option ?? false,
    payment_transaction_limit: input.payment_transaction_limit ?? d.payment_transaction_limit,
    payment_transaction_limit_option: input.payment_transaction_limit_option ?? false,
    payment_lifespan_limit: level === 'flash' ? input.payment_lifespan_limit ?? d.payment_lifespan_limit : null,
    payment_lifespan_spent: 0,
    active_days: input.active_days ?? ALL_DAYS,
    categories: input.categories ?? [],
    pre_expires_at: preExpiresAt,
    shipped_at: null,
    address: physical ? input.address ?? null : null,
    renewed: false,
    renewal: false,
    parent_card_id: null,
    parent_last_digits: null,
    had_operation: false,
    had_pin_operation: false,
    card_design: input.card_design ?? defaultDesign(level),
    type_of_print: physical ? input.type_of_print ?? 'embossed' : null,
    upsold: false,
    upsell: false,
    discard_on: null,
    reordered: false,
    has_only_user_liftable_locks: true,
    created_at: ctx.now,
    updated_at: ctx.now,
  };
}
